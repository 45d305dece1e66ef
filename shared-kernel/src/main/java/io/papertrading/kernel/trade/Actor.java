package io.papertrading.kernel.trade;

import java.util.Objects;

/**
 * Who sends a command: a {@link User} acting on their own trades, or one of the engine's own {@link Engine}
 * components, which may act on any trade. The only way to build either is here, so a command from the saga or
 * the price monitor can never be mistaken for a user's. {@link #id()} is what the audit trail records; an
 * engine id ({@code system:saga}) can never be a username, since usernames have no ':'.
 */
public sealed interface Actor permits Actor.User, Actor.Engine {

    /** The value recorded in events and the {@code state_transitions} audit. */
    String id();

    /** A user acting on their own behalf. */
    static Actor user(String username) {
        return new User(username);
    }

    /** A user, by username. */
    record User(String username) implements Actor {
        public User {
            Objects.requireNonNull(username, "username");
            if (username.isBlank() || username.indexOf(':') >= 0) {
                throw new IllegalArgumentException("a username is not blank and has no ':'");
            }
        }

        @Override
        public String id() {
            return username;
        }

        @Override
        public String toString() {
            return username;
        }
    }

    /** The engine's components. */
    enum Engine implements Actor {
        /** The execution saga: broker outcomes, bracket fills, confirmation timeouts, expiry. */
        SAGA("system:saga"),
        /** The price monitor: bracket triggers for brokers without OCO orders. */
        PRICE_MONITOR("system:price-monitor");

        private final String id;

        Engine(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String toString() {
            return id;
        }
    }
}
