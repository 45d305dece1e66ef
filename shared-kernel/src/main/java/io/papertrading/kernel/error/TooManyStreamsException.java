package io.papertrading.kernel.error;

/**
 * A live-update stream refused: the user already holds as many as one node serves a user, or the node serves as
 * many as it can (each stream holds a connection and a share of the node's workers). Another one is possible
 * once one of them closes.
 */
public final class TooManyStreamsException extends RequestRefusedException {

    private TooManyStreamsException(String message) {
        super(ErrorCode.TOO_MANY_STREAMS, message);
    }

    /** The user holds {@code limit} streams on this node already. */
    public static TooManyStreamsException perUser(int limit) {
        return new TooManyStreamsException("at most " + limit + " live-update streams per user are open at once: close one first");
    }

    /** The node serves {@code limit} streams already. */
    public static TooManyStreamsException perNode(int limit) {
        return new TooManyStreamsException("this node serves its most live-update streams (" + limit + "): try again later");
    }
}
