package io.papertrading.broker.simulated;

/**
 * Deterministic randomness as a pure function of (seed, key, coordinates), so any price at any time can be
 * computed directly, in any order, on any thread, and is the same on every run with the same seed.
 */
final class SeededNoise {

    private final long seed;

    SeededNoise(long seed) {
        this.seed = seed;
    }

    /** A uniform value in [0, 1). */
    double uniform(long key, long a, long b) {
        return (hash(key, a, b) >>> 11) * 0x1.0p-53;
    }

    /** A standard normal value (Box-Muller over two independent uniforms). */
    double gaussian(long key, long a, long b) {
        double u1 = Math.max(uniform(key, a, b), 1e-300);
        double u2 = uniform(key ^ 0x5DEECE66DL, a, b);
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    long hash(long key, long a, long b) {
        long h = mix(seed ^ 0x9E3779B97F4A7C15L);
        h = mix(h ^ key);
        h = mix(h ^ a);
        return mix(h ^ b);
    }

    /** SplitMix64's finaliser: a bijective, well-avalanching 64-bit mix. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
