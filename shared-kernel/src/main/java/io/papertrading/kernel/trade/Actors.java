package io.papertrading.kernel.trade;

/**
 * Who sends a command. A user actor is a username; the engine's own components act as {@code system:<name>},
 * which no username can be (usernames have no ':'), so a user can never pass for the system.
 */
public final class Actors {

    /** The execution saga (broker outcomes, bracket fills, expiry). */
    public static final String SAGA = "system:saga";
    /** The price monitor (bracket triggers). */
    public static final String PRICE_MONITOR = "system:price-monitor";

    private Actors() {
    }

    /** Whether {@code actor} is a user rather than a component of the engine. */
    public static boolean isUser(String actor) {
        return actor == null || !actor.startsWith("system:");
    }
}
