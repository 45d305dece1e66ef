package io.papertrading.kernel.error;

/** Something other than a trade (a projection, say) that the request names does not exist. */
public final class UnknownResourceException extends RequestRefusedException {
    public UnknownResourceException(String what) {
        super(ErrorCode.NOT_FOUND, "no " + what);
    }
}
