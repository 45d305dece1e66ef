package io.papertrading.kernel.error;

/**
 * The user already holds as many live-update streams as one node serves a user; another one is refused until
 * one of them closes (each stream holds a connection and a share of the node's workers).
 */
public final class TooManyStreamsException extends RequestRefusedException {
    public TooManyStreamsException(int limit) {
        super(ErrorCode.TOO_MANY_STREAMS, "at most " + limit + " live-update streams per user are open at once: close one first");
    }
}
