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
    return logLikelihood(x, meanValue, Gamma.logGamma(p * x + q) - Gamma.logGamma(p * x));
  }

  /** The same with lnGamma(p x + q) - lnGamma(p x) supplied (one computation per distinct x). */
  double logLikelihood(double x, double meanValue, double logGammaRatio) {
    return logGammaRatio
        - Gamma.logGamma(q)
        + q * Math.log(gamma)
        + (p * x - 1) * Math.log(meanValue)
        + p * x * Math.log(x)
        - (p * x + q) * Math.log(x * meanValue + gamma);
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
