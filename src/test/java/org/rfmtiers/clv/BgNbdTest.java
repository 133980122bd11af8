package org.rfmtiers.clv;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Model formulas at the published CDNOW parameters (Fader, Hardie & Lee 2005). */
class BgNbdTest {
  private static final BgNbd CDNOW = new BgNbd(0.243, 4.414, 0.793, 2.426);

  @Test
  void conditionalExpectationOfThePapersExampleCustomer() {
    // x = 2, t_x = 30.43, T = 38.86 weeks: 1.226 purchases expected in the next 39 weeks (the
    // paper's example)
    assertEquals(1.226, CDNOW.expectedPurchases(39, 2, 30.43, 38.86), 0.0005);
  }

  @Test
  void probabilityAliveByHand() {
    // 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x))
    // = 1 / (1 + 0.793 / 3.426 * (43.274 / 34.844)^2.243) = 1 / (1 + 0.231465 * 1.62578) = 0.72658
    assertEquals(0.72658, CDNOW.probabilityAlive(2, 30.43, 38.86), 5e-5);
    assertEquals(
        1.0, CDNOW.probabilityAlive(0, 0, 20), 0.0, "no repeat purchase: alive by assumption");
  }

  @Test
  void newCustomerExpectationEqualsThePopulationCurve() {
    for (double t : new double[] {1, 39, 78}) {
      assertEquals(
          CDNOW.unconditionalExpectedPurchases(t), CDNOW.expectedPurchases(t, 0, 0, 0), 1e-12);
    }
  }

  @Test
  void logLikelihoodOfOneCustomerByHand() {
    // x = 0, T = 10: ln[Gamma(b+0)... ] reduces to r ln(alpha / (alpha + T)) since A1 = alpha^r, A2
    // = 1
    assertEquals(0.243 * Math.log(4.414 / 14.414), CDNOW.logLikelihood(0, 0, 10), 1e-12);
  }

  @Test
  void gammaGammaExpectedSpendByHand() {
    GammaGamma gg = new GammaGamma(6.25, 3.74, 15.44);
    assertEquals(6.25 * 15.44 / 2.74, gg.populationMean(), 1e-12); // 35.2190
    // (p (gamma + x m)) / (p x + q - 1) for x = 2, m = 22.345: 6.25 * 60.13 / 15.24 = 24.6596
    assertEquals(24.6596, gg.conditionalExpectedValue(2, 22.345), 5e-4);
  }
}
