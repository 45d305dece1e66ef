package io.papertrading.query.trade;

import io.papertrading.query.QueryNode;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Optional;

/** Answers the trade queries on Axon's query bus, from the read model through {@link TradeQueries}. */
@QueryNode
@Component
class TradeQueryHandlers {

    private final TradeQueries queries;

    TradeQueryHandlers(TradeQueries queries) {
        this.queries = queries;
    }

    @QueryHandler
    FindTradesResponse handle(FindTradesQuery query) {
        return queries.find(query);
    }

    /** Empty when the trade is unknown or another user's; waits for {@code minVersion} when one is given. */
    @QueryHandler
    Optional<TradeView> handle(FindTradeQuery query) {
        return query.minVersion() > 0
                ? queries.findAtLeast(query.username(), query.tradeId(), query.minVersion(), TradeQueries.MAX_VERSION_WAIT)
                : queries.find(query.username(), query.tradeId());
    }

    @QueryHandler
    List<TransitionView> handle(FindTransitionsQuery query) {
        return queries.transitions(query.username(), query.tradeId()).orElse(List.of());
    }
}
