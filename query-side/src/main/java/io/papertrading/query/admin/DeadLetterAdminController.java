package io.papertrading.query.admin;

import io.papertrading.kernel.error.UnknownResourceException;
import io.papertrading.kernel.error.ValidationFailedException;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Operators' handle on dead letters: list them (by processor and trade, with the cause's type), retry a trade's
 * parked events now, or evict them. Admin role only.
 */
@RestController
@RequestMapping("/api/admin/dead-letters")
class DeadLetterAdminController {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final int MAX_LIST = 500;

    private final DeadLetters deadLetters;

    DeadLetterAdminController(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    record Listing(Map<String, Long> counts, List<DeadLetters.Letter> letters) {
    }

    record Outcome(String processor, String trade, boolean handled, int evicted, long remaining) {
    }

    @GetMapping
    Listing list(@RequestParam(name = "processor", required = false) String processor,
                 @RequestParam(name = "trade", required = false) String trade) {
        checked("processor", processor);
        checked("trade", trade);
        return new Listing(deadLetters.counts(), deadLetters.list(processor, trade, MAX_LIST));
    }

    /** Handles the trade's parked events now, in order; 200 either way, {@code handled} tells whether it worked. */
    @PostMapping("/{processor}/{trade}/retry")
    ResponseEntity<Outcome> retry(@PathVariable String processor, @PathVariable String trade) {
        requireLetters(processor, trade);
        boolean handled = deadLetters.retry(processor, trade);
        return ResponseEntity.ok(new Outcome(processor, trade, handled, 0, deadLetters.count(processor, trade)));
    }

    /** Drops the trade's parked events without handling them (its read model stays as it was). */
    @DeleteMapping("/{processor}/{trade}")
    ResponseEntity<Outcome> evict(@PathVariable String processor, @PathVariable String trade) {
        requireLetters(processor, trade);
        int evicted = deadLetters.evict(processor, trade);
        return ResponseEntity.ok(new Outcome(processor, trade, false, evicted, deadLetters.count(processor, trade)));
    }

    private void requireLetters(String processor, String trade) {
        checked("processor", processor);
        checked("trade", trade);
        if (deadLetters.count(processor, trade) == 0) {
            throw new UnknownResourceException("dead letters of trade " + trade + " in " + processor);
        }
    }

    private static void checked(String field, String value) {
        if (value != null && !NAME.matcher(value).matches()) {
            throw ValidationFailedException.of(field, "1-128 letters, digits, '.', '_' or '-'");
        }
    }
}
