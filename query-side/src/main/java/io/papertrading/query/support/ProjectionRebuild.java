package io.papertrading.query.support;

import java.util.List;

/**
 * A projection that can be rebuilt in bulk beside its live tables: its events are read straight from the event
 * store, folded in memory by the projection's own rules and loaded into shadow tables while its processor keeps
 * the live tables current; then what came meanwhile is folded in and the shadows are switched in. The admin API's
 * replay drives it (query.admin); a projection without one is replayed by resetting its processor's tokens.
 */
public interface ProjectionRebuild {

    /** The processing group (event processor) whose tables this rebuilds. */
    String processingGroup();

    /** The events it reads: payloads of this type (and its subtypes). */
    Class<?> payloadType();

    /** Starts a rebuild: the shadow tables emptied and ready for a load. */
    Load begin();

    /** One rebuild, step by step; {@link #close} after success or failure. */
    interface Load extends AutoCloseable {

        /** Folds one event of the bulk load; the events come in the store's order, up to its head at the start. */
        void bulk(StoredEvent event) throws Exception;

        /**
         * Ends the bulk load: everything folded is written and the shadow tables are ready for the catch-up.
         * Returns the positions of events to read again for the catch-up (for instance events of trades the
         * load had already written).
         */
        long[] loaded() throws Exception;

        /** Folds events that came after the bulk load into the shadow tables, in the caller's transaction. */
        void catchUp(List<StoredEvent> events);

        /** Switches the shadow tables in, in the caller's transaction, which also moves the processor's tokens. */
        void switchIn();

        /** Empties the shadow tables, giving their space back (the old tables after a switch). */
        @Override
        void close();
    }
}
