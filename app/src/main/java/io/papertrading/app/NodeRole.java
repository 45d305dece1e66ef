package io.papertrading.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.util.Locale;
import java.util.Set;

/**
 * What this node does ({@code PAPER_ROLE}): {@code all}, or only {@code command} (command API, saga, price
 * monitor) or only {@code query} (projections, query API). Components opt in with {@code @CommandNode} and
 * {@code @QueryNode}; this refuses any other value, so a typo cannot start a node that does nothing.
 */
@Component
class NodeRole {

    private static final Logger log = LoggerFactory.getLogger(NodeRole.class);
    private static final Set<String> ROLES = Set.of("all", "command", "query");

    NodeRole(@Value("${paper.role:all}") String role) {
        String normalized = role.trim().toLowerCase(Locale.ROOT);
        if (!ROLES.contains(normalized)) {
            throw new IllegalStateException("PAPER_ROLE must be all, command or query, not '" + role + "'");
        }
        log.info("Node role: {}", normalized);
    }
}
