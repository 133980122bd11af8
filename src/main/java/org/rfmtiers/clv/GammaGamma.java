package org.rfmtiers.clv;

import java.io.Serializable;
import org.apache.commons.math3.special.Gamma;

/**
 * The Gamma-Gamma model of spend per transaction (Fader &amp; Hardie 2013, "The Gamma-Gamma model
 * of monetary value"): a customer's transaction values are Gamma(p, nu) and nu is Gamma(q, gamma)
 * across customers. It is fitted on repeat buyers from x repeat transactions with mean value m_x.
 */
public record GammaGamma(double p, double q, double gamma) implements Serializable {

  /** Log-likelihood of one repeat buyer's mean spend (x >= 1, m_x > 0). */
  public double logLikelihood(double x, double meanValue) {
    return logLikelihood(x, meanValue, Math.log(meanValue), Math.log(x), xTerms(x));
  }

  /**
   * The terms of the log-likelihood that depend on the parameters and x only: lnGamma(p x + q) -
   * lnGamma(p x) - lnGamma(q) + q ln gamma, which a fit computes once per distinct x.
   */
  double xTerms(double x) {
    return Gamma.logGamma(p * x + q)
        - Gamma.logGamma(p * x)
        - Gamma.logGamma(q)
        + q * Math.log(gamma);
  }

  /**
   * The same with ln m_x and ln x supplied (once per customer group, whatever the parameters) and
   * {@link #xTerms}: what is left per group and evaluation is one logarithm.
   */
  double logLikelihood(double x, double meanValue, double logMean, double logX, double xTerms) {
    double px = p * x;
    return xTerms + (px - 1) * logMean + px * logX - (px + q) * Math.log(x * meanValue + gamma);
  }

  /** The population mean spend per transaction, p gamma / (q - 1); infinite unless q > 1. */
  public double populationMean() {
    return q > 1 ? p * gamma / (q - 1) : Double.POSITIVE_INFINITY;
  }

  /**
   * E[M | x, m_x] = (p (gamma + x m_x)) / (p x + q - 1): a weighted mean of the population mean and
   * the customer's own mean, equation (5) of the note. For x = 0 it is the population mean.
   */
  public double conditionalExpectedValue(double x, double meanValue) {
    if (x <= 0) {
      return populationMean();
    }
    return p * (gamma + x * meanValue) / (p * x + q - 1);
  }
}
