package io.papertrading.kernel.error;

/** The client's {@code If-Match} version is not the trade's current version. */
public final class VersionConflictException extends RequestRefusedException {
    private final long currentVersion;

    public VersionConflictException(long expectedVersion, long currentVersion) {
        super(ErrorCode.VERSION_CONFLICT,
                "the trade is at version " + currentVersion + ", not " + expectedVersion + "; reload it and retry");
        this.currentVersion = currentVersion;
    }

    public long currentVersion() {
        return currentVersion;
    }
}
