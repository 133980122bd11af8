package org.rfmtiers.clv;

import java.io.Serializable;
import org.apache.commons.math3.special.Gamma;

/**
 * The BG/NBD model of repeat purchasing (Fader, Hardie &amp; Lee 2005, "Counting your customers the
 * easy way"). Parameter names follow the paper: purchase rates are Gamma(r, alpha) across
 * customers, the drop-out probability after each purchase is Beta(a, b). Per customer: x repeat
 * purchases, the last at t_x, observed for T, all in the model's time unit and measured from the
 * first purchase.
 */
public record BgNbd(double r, double alpha, double a, double b) implements Serializable {

  /**
   * Log-likelihood of one customer, equation (6) of the paper, in log form for numerical stability.
   */
  public double logLikelihood(double x, double tx, double t) {
    return logLikelihood(
        x,
        tx,
        t,
        Gamma.logGamma(r + x) - Gamma.logGamma(r) + r * Math.log(alpha),
        Gamma.logGamma(a + b)
            + Gamma.logGamma(b + x)
            - Gamma.logGamma(b)
            - Gamma.logGamma(a + b + x));
  }

  /**
   * The same with the two x-only terms supplied: ln A1 = lnGamma(r + x) - lnGamma(r) + r ln alpha
   * and ln A2 = lnGamma(a + b) + lnGamma(b + x) - lnGamma(b) - lnGamma(a + b + x), which a fit
   * computes once per distinct x instead of once per customer.
   */
  double logLikelihood(double x, double tx, double t, double logA1, double logA2) {
    double logA3 = -(r + x) * Math.log(alpha + t);
    if (x <= 0) {
      return logA1 + logA2 + logA3;
    }
    double logA4 = Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx);
    double max = Math.max(logA3, logA4);
    return logA1 + logA2 + max + Math.log(Math.exp(logA3 - max) + Math.exp(logA4 - max));
  }

  /** P(alive | x, t_x, T), equation (11). */
  public double probabilityAlive(double x, double tx, double t) {
    if (x <= 0) {
      return 1.0;
    }
    double logOdds =
        Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + t) - Math.log(alpha + tx));
    return logOdds > 0
        ? Math.exp(-logOdds) / (1 + Math.exp(-logOdds))
        : 1 / (1 + Math.exp(logOdds));
  }

  /**
   * E[Y(horizon) | x, t_x, T]: expected purchases in the next {@code horizon} time units, equation
   * (10): (a + b + x - 1) / (a - 1) * [1 - ((alpha + T) / (alpha + T + t))^(r + x) 2F1(r + x, b +
   * x; a + b + x - 1; t / (alpha + T + t))] * P(alive).
   */
  public double expectedPurchases(double horizon, double x, double tx, double t) {
    if (horizon <= 0) {
      return 0.0;
    }
    double z = horizon / (alpha + t + horizon);
    double scaled = Hypergeometric.scaledF21(r + x, b + x, a + b + x - 1, z);
    return (a + b + x - 1) / (a - 1) * (1 - scaled) * probabilityAlive(x, tx, t);
  }

  /**
   * E[X(t)] for a customer just acquired: the population's expected purchases in t, equation (9).
   */
  public double unconditionalExpectedPurchases(double horizon) {
    double z = horizon / (alpha + horizon);
    return (a + b - 1) / (a - 1) * (1 - Hypergeometric.scaledF21(r, b, a + b - 1, z));
  }

  /**
   * E[exp(-lambda (p t + tau))] over the population: the chance that a customer just acquired is
   * still alive at t and then makes no purchase in the next tau. A customer with rate lambda and
   * drop-out probability p is alive at t with probability exp(-lambda p t) (each of the
   * Poisson(lambda t) purchases ends the relationship with probability p) and buys nothing in tau
   * with exp(-lambda tau). Integrating lambda ~ Gamma(r, alpha) gives (alpha / (alpha + p t +
   * tau))^r, and p ~ Beta(a, b) by Euler's integral and Pfaff's transformation: (alpha / (alpha + t
   * + tau))^r 2F1(r, b; a + b; t / (alpha + t + tau)).
   */
  private double aliveThenSilent(double t, double tau) {
    double total = alpha + t + tau;
    return Math.pow(alpha / total, r) * Hypergeometric.f21(r, b, a + b, t / total);
  }

  /**
   * The share of a cohort still alive t time units after its first purchase, unconditionally (no
   * purchase history known): E[exp(-lambda p t)].
   */
  public double aliveShare(double t) {
    return t <= 0 ? 1.0 : aliveThenSilent(t, 0);
  }

  /**
   * The share of a cohort that makes at least one purchase in (t, t + tau] after its first
   * purchase: alive at t and not silent over tau, E[exp(-lambda p t)] - E[exp(-lambda (p t +
   * tau))]. Set beside a cohort's observed retention, it shows where the model and the data part.
   */
  public double activeShare(double t, double tau) {
    return activeShare(t, tau, aliveShare(t));
  }

  /**
   * {@link #activeShare(double, double)} with {@code aliveShare(t)} supplied: a caller evaluating
   * many (t, tau) pairs has it already, and it is the slower half (its series converges like (t /
   * (alpha + t))^k, thousands of terms once t is many times alpha).
   */
  public double activeShare(double t, double tau, double aliveAtT) {
    if (tau <= 0) {
      return 0.0;
    }
    return aliveAtT - aliveThenSilent(Math.max(t, 0), tau);
  }
}
