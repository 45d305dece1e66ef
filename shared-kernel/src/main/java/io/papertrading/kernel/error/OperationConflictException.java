package io.papertrading.kernel.error;

/**
 * An operator action that cannot run in the engine's present state (replaying a processor that cannot be
 * replayed, or one already replaying, or whose segments another node holds), or a trade command that lost
 * every attempt to other nodes changing the same trade; nothing was changed.
 */
public final class OperationConflictException extends RequestRefusedException {
    public OperationConflictException(String message) {
        super(ErrorCode.OPERATION_CONFLICT, message);
    }
}
