package io.papertrading.app.broker;

import io.papertrading.broker.Greeks;
import io.papertrading.broker.OptionQuote;
import io.papertrading.broker.Quote;
import io.papertrading.kernel.error.ValidationFailedException;
import io.papertrading.kernel.instrument.OptionSymbol;
import io.papertrading.kernel.money.Money;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.security.Principal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/** Market data through the caller's own broker: quotes, option expirations and chains. */
@RestController
@RequestMapping("/api/market")
class MarketController {

    private static final Pattern STOCK = Pattern.compile("[A-Z.]{1,10}");
    private static final int MAX_SYMBOLS = 100;

    private final UserBrokers brokers;

    MarketController(UserBrokers brokers) {
        this.brokers = brokers;
    }

    record QuoteView(String symbol, String description, Money bid, Money ask, Money last, Money mark, Long volume,
                     Long bidSize, Long askSize, Money underlyingPrice, Greeks greeks, Instant tradeTime) {
        static QuoteView of(Quote q) {
            return new QuoteView(q.symbol(), q.description(), q.bid(), q.ask(), q.last(), q.mark(), q.volume(),
                    q.bidSize(), q.askSize(), q.underlyingPrice(), q.greeks(), q.tradeTime());
        }
    }

    record ChainEntry(String optionSymbol, String optionType, java.math.BigDecimal strike, LocalDate expiry,
                      Long openInterest, QuoteView quote) {
    }

    @GetMapping("/quotes")
    List<QuoteView> quotes(@RequestParam String symbols, Principal principal) {
        List<String> list = Arrays.stream(symbols.split(",")).map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
        if (list.isEmpty() || list.size() > MAX_SYMBOLS
                || !list.stream().allMatch(s -> STOCK.matcher(s).matches() || OptionSymbol.isOptionSymbol(s))) {
            throw ValidationFailedException.of("symbols",
                    "1-" + MAX_SYMBOLS + " comma-separated stock symbols (A-Z, '.') or OCC option symbols");
        }
        return brokers.providerFor(principal.getName()).getQuotes(list).stream().map(QuoteView::of).toList();
    }

    @GetMapping("/expirations")
    List<LocalDate> expirations(@RequestParam String symbol, Principal principal) {
        return brokers.providerFor(principal.getName()).getExpirations(stock(symbol));
    }

    @GetMapping("/chains")
    List<ChainEntry> chains(@RequestParam String symbol, @RequestParam String expiration, Principal principal) {
        LocalDate date;
        try {
            date = LocalDate.parse(expiration);
        } catch (DateTimeParseException e) {
            throw ValidationFailedException.of("expiration", "a date as YYYY-MM-DD");
        }
        return brokers.providerFor(principal.getName()).getOptionChain(stock(symbol), date, true).stream()
                .map(MarketController::entry).toList();
    }

    private static ChainEntry entry(OptionQuote o) {
        OptionSymbol c = o.contract();
        return new ChainEntry(c.occ(), c.type().name(), c.strike(), c.expiry(), o.openInterest(), QuoteView.of(o.quote()));
    }

    private static String stock(String symbol) {
        if (symbol == null || !STOCK.matcher(symbol).matches()) {
            throw ValidationFailedException.of("symbol", "1-10 characters of A-Z and '.'");
        }
        return symbol;
    }
}
