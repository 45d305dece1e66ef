package io.papertrading.command.execution;

import java.time.Instant;
import java.util.Objects;

/**
 * One order leg of a trade (entry, bracket or exit) as the {@link OrderDesk} works it: sent once, found again by
 * its tag when an answer was lost, followed until it ends, canceled when its saga withdraws it.
 *
 * <p>The saga sets what it wants ({@code ticket}, {@code withdraw}, {@code silent}); the desk records how far it
 * got ({@code confirmBy}, {@code stage}, {@code orderId}, {@code acknowledged}, {@code cancelSent},
 * {@code lastReport}, {@code retryAt}, {@code backoffMillis}). Neither overwrites the other's fields.
 *
 * @param tag          the order's tag at the broker, unique per leg (see the saga's tags)
 * @param notBefore    the order cannot have been sent before this (the event that asked for it): a list or lookup
 *                     that old cannot show it
 * @param confirmBy    an order not acknowledged by the broker by then ends unconfirmed; set by the desk when it
 *                     first takes the leg up, so a desk that falls behind never ends a leg it has not tried
 * @param withdraw     cancel it at the broker once it works, and report how it ended
 * @param silent       nobody listens any more (the trade ended): no reports; forgotten once it has ended
 * @param lastReport   what was last reported to the saga (a fingerprint of state and fills), or null
 */
public record WorkedOrder(String tag, String tradeId, String username, String accountKey, OrderTicket ticket,
                          Instant notBefore, Instant confirmBy, boolean withdraw, boolean silent,
                          Stage stage, String orderId, boolean acknowledged, boolean cancelSent, String lastReport,
                          Instant retryAt, long backoffMillis) {

    /** How far the desk got with the order. */
    public enum Stage {
        /** Not sent, or certainly not received: look for the tag, then send if the broker has no such order. */
        TO_SEND,
        /** Sent without an answer: the order may exist; look for the tag only, never send again. */
        UNKNOWN,
        /** The broker knows the order by {@code orderId}. */
        SENT
    }

    public WorkedOrder {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(tradeId, "tradeId");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(accountKey, "accountKey");
        Objects.requireNonNull(notBefore, "notBefore");
        Objects.requireNonNull(stage, "stage");
    }

    /** A new order to send. */
    public static WorkedOrder toSend(String tradeId, String username, String accountKey, OrderTicket ticket,
                                     Instant notBefore) {
        return new WorkedOrder(ticket.tag(), tradeId, username, accountKey, ticket, notBefore, null, false,
                false, Stage.TO_SEND, null, false, false, null, null, 0);
    }

    WorkedOrder confirmBy(Instant by) {
        return new WorkedOrder(tag, tradeId, username, accountKey, ticket, notBefore, by, withdraw, silent,
                stage, orderId, acknowledged, cancelSent, lastReport, retryAt, backoffMillis);
    }

    WorkedOrder sent(String id) {
        return new WorkedOrder(tag, tradeId, username, accountKey, ticket, notBefore, confirmBy, withdraw, silent,
                Stage.SENT, id, acknowledged, cancelSent, lastReport, null, 0);
    }

    WorkedOrder unknown(Instant retry, long backoff) {
        return new WorkedOrder(tag, tradeId, username, accountKey, ticket, notBefore, confirmBy, withdraw, silent,
                Stage.UNKNOWN, orderId, acknowledged, cancelSent, lastReport, retry, backoff);
    }

    WorkedOrder retryAt(Instant retry, long backoff) {
        return new WorkedOrder(tag, tradeId, username, accountKey, ticket, notBefore, confirmBy, withdraw, silent,
                stage, orderId, acknowledged, cancelSent, lastReport, retry, backoff);
    }

    WorkedOrder seen(String report) {
        return new WorkedOrder(tag, tradeId, username, accountKey, ticket, notBefore, confirmBy, withdraw, silent,
                stage, orderId, true, cancelSent, report, retryAt, backoffMillis);
    }

    WorkedOrder withCancelSent() {
        return new WorkedOrder(tag, tradeId, username, accountKey, ticket, notBefore, confirmBy, withdraw, silent,
                stage, orderId, acknowledged, true, lastReport, retryAt, backoffMillis);
    }

    /**
     * At the broker, acknowledged and not being withdrawn: nothing to do but look at it now and then. An account
     * whose legs are all resting is looked at less often the longer nothing changes (see {@link OrderDesk}).
     */
    public boolean resting() {
        return stage == Stage.SENT && acknowledged && !withdraw;
    }
}
