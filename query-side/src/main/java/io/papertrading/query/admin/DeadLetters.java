package io.papertrading.query.admin;

import io.papertrading.query.support.TradeSequencing;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.deadletter.Cause;
import org.axonframework.messaging.deadletter.DeadLetter;
import org.axonframework.messaging.deadletter.SequencedDeadLetterProcessor;
import org.axonframework.messaging.deadletter.SequencedDeadLetterQueue;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The event processors' dead letters (events a handler failed on, parked with every later event of their
 * trade): listed by processor and trade, retried, evicted, counted. Letters whose cause was transient (a lock
 * or statement timeout, a lost connection) are retried on their own with back-off by {@link #retryDue}; the
 * others wait for an operator, because retrying them cannot succeed until something changes.
 */
@Component
public class DeadLetters {

    /** Diagnostics keys the enqueue policy writes on each letter. */
    public static final String TRANSIENT = "transient";
    public static final String RETRIES = "retries";
    /** Back-off of automatic retries: doubling from the first, capped at the last. */
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration MAX_RETRY = Duration.ofMinutes(5);

    private final EventProcessingConfiguration processing;
    private final TransactionTemplate transactions;
    private final JdbcTemplate jdbc;

    DeadLetters(EventProcessingConfiguration processing, PlatformTransactionManager transactionManager,
                JdbcTemplate jdbc) {
        this.processing = processing;
        this.transactions = new TransactionTemplate(transactionManager);
        this.jdbc = jdbc;
    }

    /** One parked event; {@code cause} is the failure's type only (messages can hold SQL and row values). */
    public record Letter(String processor, String trade, int position, String eventType, String cause,
                         boolean transientCause, long retries, Instant enqueuedAt, Instant lastTouched) {
    }

    /** Letters of every processor (or one), of every trade (or one), oldest sequence first, at most {@code limit}. */
    public List<Letter> list(String processor, String trade, int limit) {
        List<Letter> letters = new ArrayList<>();
        for (Map.Entry<String, SequencedDeadLetterQueue<EventMessage<?>>> queue : queues(processor).entrySet()) {
            transactions.executeWithoutResult(tx -> {
                Iterable<Iterable<DeadLetter<? extends EventMessage<?>>>> sequences = trade == null
                        ? queue.getValue().deadLetters()
                        : List.of(queue.getValue().deadLetterSequence(trade));
                for (Iterable<DeadLetter<? extends EventMessage<?>>> sequence : sequences) {
                    int position = 0;
                    for (DeadLetter<? extends EventMessage<?>> letter : sequence) {
                        if (letters.size() >= limit) {
                            return;
                        }
                        letters.add(view(queue.getKey(), letter, position++));
                    }
                }
            });
        }
        return letters;
    }

    /**
     * Dead letters per processor that has a queue. Counted in SQL on the JPA queue's table (what its {@code size()}
     * counts): health, the gauges and the retrier ask this at startup and every second, and the queue's own count
     * is a JPQL query whose first parse cost the start about a second of CPU.
     */
    public Map<String, Long> counts() {
        Map<String, Long> counts = new TreeMap<>();
        queues(null).keySet().forEach(name -> counts.put(name, 0L));
        if (!counts.isEmpty()) {
            jdbc.query("select processing_group, count(*) from dead_letter_entry group by processing_group",
                    rs -> {
                        String group = rs.getString(1);
                        if (counts.containsKey(group)) {
                            counts.put(group, rs.getLong(2));
                        }
                    });
        }
        return counts;
    }

    /** Dead letters of one processor, or of one of its trades when {@code trade} is given (0 without a queue). */
    public long count(String processor, String trade) {
        SequencedDeadLetterQueue<EventMessage<?>> queue = queues(processor).get(processor);
        if (queue == null) {
            return 0;
        }
        if (trade == null) { // the gauge's question, asked at every scrape: in SQL, as counts()
            Long count = jdbc.queryForObject("select count(*) from dead_letter_entry where processing_group = ?",
                    Long.class, processor);
            return count == null ? 0 : count;
        }
        Long count = transactions.execute(tx -> queue.sequenceSize(trade));
        return count == null ? 0 : count;
    }

    /**
     * Retries the trade's sequence on the processor now: true when every letter was handled (and removed),
     * false when one failed again (it stays, with its retry count raised) or there was none.
     */
    public boolean retry(String processor, String trade) {
        return processing.sequencedDeadLetterProcessor(processor)
                .map(p -> p.process(letter -> trade.equals(tradeOf(letter))))
                .orElse(false);
    }

    /** Removes the trade's letters from the processor's queue without handling them; how many were removed. */
    public int evict(String processor, String trade) {
        SequencedDeadLetterQueue<EventMessage<?>> queue = queues(processor).get(processor);
        if (queue == null) {
            return 0;
        }
        Integer evicted = transactions.execute(tx -> {
            // copied first: evicting while iterating the queue's own view of the sequence is not allowed
            List<DeadLetter<? extends EventMessage<?>>> letters = new ArrayList<>();
            queue.deadLetterSequence(trade).forEach(letters::add);
            letters.forEach(queue::evict);
            return letters.size();
        });
        return evicted == null ? 0 : evicted;
    }

    /** Retries transient letters whose back-off has passed, at most {@code max} sequences; how many succeeded. */
    public int retryDue(Clock clock, int max) {
        int succeeded = 0;
        Instant now = clock.instant();
        for (Map.Entry<String, Long> count : counts().entrySet()) {
            if (count.getValue() == 0) {
                continue;
            }
            String processor = count.getKey();
            Optional<SequencedDeadLetterProcessor<EventMessage<?>>> p = processing.sequencedDeadLetterProcessor(processor);
            if (p.isEmpty()) {
                continue;
            }
            for (int i = 0; i < max; i++) {
                boolean handled = p.get().process(letter -> due(letter, now));
                if (!handled) {
                    break;
                }
                succeeded++;
            }
        }
        return succeeded;
    }

    /** Whether an automatic retry of the letter is due: transient cause, back-off since its last attempt over. */
    static boolean due(DeadLetter<?> letter, Instant now) {
        if (!Boolean.TRUE.equals(letter.diagnostics().get(TRANSIENT))) {
            return false;
        }
        return !letter.lastTouched().plus(backoff(retries(letter))).isAfter(now);
    }

    static Duration backoff(long retries) {
        long shift = Math.min(Math.max(retries, 0), 20);
        Duration wait = FIRST_RETRY.multipliedBy(1L << shift);
        return wait.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : wait;
    }

    /** How often the letter was retried and failed again (0 when first parked). */
    public static long retries(DeadLetter<?> letter) {
        Object n = letter.diagnostics().get(RETRIES);
        return n instanceof Number number ? number.longValue() : 0;
    }

    private static String tradeOf(DeadLetter<? extends EventMessage<?>> letter) {
        return String.valueOf(TradeSequencing.BY_TRADE.getSequenceIdentifierFor(letter.message()));
    }

    private Letter view(String processor, DeadLetter<? extends EventMessage<?>> letter, int position) {
        String cause = letter.cause().map(Cause::type).map(DeadLetters::simpleName).orElse(null);
        return new Letter(processor, tradeOf(letter), position, letter.message().getPayloadType().getSimpleName(), cause,
                Boolean.TRUE.equals(letter.diagnostics().get(TRANSIENT)), retries(letter), letter.enqueuedAt(),
                letter.lastTouched());
    }

    private static String simpleName(String type) {
        return type.substring(type.lastIndexOf('.') + 1);
    }

    private Map<String, SequencedDeadLetterQueue<EventMessage<?>>> queues(String only) {
        Map<String, SequencedDeadLetterQueue<EventMessage<?>>> queues = new LinkedHashMap<>();
        for (String name : new java.util.TreeSet<>(processing.eventProcessors().keySet())) {
            if (only == null || only.equals(name)) {
                processing.deadLetterQueue(name).ifPresent(q -> queues.put(name, q));
            }
        }
        return queues;
    }
}
