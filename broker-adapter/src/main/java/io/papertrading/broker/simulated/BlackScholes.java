package io.papertrading.broker.simulated;

import io.papertrading.kernel.instrument.OptionType;

/**
 * European option value and greeks without dividends. Doubles are fine here: this is the model, and results are
 * rounded to cents (prices) or six decimals (greeks) at the boundary.
 */
final class BlackScholes {

    /** Value per share and greeks: theta per calendar day, vega and rho per 1 percentage point. */
    record Valuation(double price, double delta, double gamma, double theta, double vega, double rho) {
    }

    private BlackScholes() {
    }

    static Valuation value(OptionType type, double spot, double strike, double years, double rate, double vol) {
        if (years <= 0 || vol <= 0) {
            double intrinsic = type == OptionType.CALL ? Math.max(0, spot - strike) : Math.max(0, strike - spot);
            double delta = intrinsic > 0 ? (type == OptionType.CALL ? 1 : -1) : 0;
            return new Valuation(intrinsic, delta, 0, 0, 0, 0);
        }
        double sqrtT = Math.sqrt(years);
        double d1 = (Math.log(spot / strike) + (rate + vol * vol / 2) * years) / (vol * sqrtT);
        double d2 = d1 - vol * sqrtT;
        double discount = Math.exp(-rate * years);
        double density = Math.exp(-d1 * d1 / 2) / Math.sqrt(2 * Math.PI);
        double gamma = density / (spot * vol * sqrtT);
        double vega = spot * density * sqrtT / 100;
        double decay = -spot * density * vol / (2 * sqrtT);
        if (type == OptionType.CALL) {
            double price = spot * cdf(d1) - strike * discount * cdf(d2);
            double theta = (decay - rate * strike * discount * cdf(d2)) / 365;
            return new Valuation(price, cdf(d1), gamma, theta, vega, strike * years * discount * cdf(d2) / 100);
        }
        double price = strike * discount * cdf(-d2) - spot * cdf(-d1);
        double theta = (decay + rate * strike * discount * cdf(-d2)) / 365;
        return new Valuation(price, cdf(d1) - 1, gamma, theta, vega, -strike * years * discount * cdf(-d2) / 100);
    }

    /** Standard normal CDF (Abramowitz-Stegun 26.2.17, absolute error below 7.5e-8: far under a cent). */
    static double cdf(double x) {
        if (x < 0) {
            return 1 - cdf(-x);
        }
        double t = 1 / (1 + 0.2316419 * x);
        double poly = t * (0.319381530 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
        return 1 - Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI) * poly;
    }
}
