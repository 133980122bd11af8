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

  @Test
  void cohortSharesAtTheStartByHand() {
    assertEquals(1.0, CDNOW.aliveShare(0), 0.0);
    // 1 - (alpha / (alpha + tau))^r = 1 - (4.414 / 8.414)^0.243 = 1 - exp(0.243 ln 0.524602) =
    // 1 - 0.854907 = 0.145093: at t = 0 everyone is alive, only the NBD silence remains
    assertEquals(0.145093, CDNOW.activeShare(0, 4), 5e-6);
  }

  @Test
  void cohortSharesEqualTheMixtureIntegratedNumerically() {
    for (double[] tTau : new double[][] {{4, 4}, {26, 4.3}, {104, 4.4}, {300, 2}}) {
      double t = tTau[0];
      double tau = tTau[1];
      // E_p[(alpha / (alpha + p t + tau))^r] under Beta(a, b), by Simpson's rule after p = u^(1/a)
      // (which removes the p^(a - 1) singularity at 0): the oracle the closed forms must match
      double alive = mixture(t, 0);
      double silent = mixture(t, tau);
      assertEquals(alive, CDNOW.aliveShare(t), 1e-6, "alive at t = " + t);
      assertEquals(alive - silent, CDNOW.activeShare(t, tau), 1e-6, "active after t = " + t);
    }
    assertTrue(CDNOW.aliveShare(104) < CDNOW.aliveShare(26), "fewer alive as time passes");
  }

  private static double mixture(double t, double tau) {
    double a = CDNOW.a();
    double b = CDNOW.b();
    int n = 200_000;
    double h = 1.0 / n;
    double sum = 0;
    for (int i = 0; i <= n; i++) {
      double u = i * h;
      double p = Math.pow(u, 1 / a);
      double f =
          Math.pow(CDNOW.alpha() / (CDNOW.alpha() + p * t + tau), CDNOW.r())
              * Math.pow(1 - p, b - 1);
      sum += f * (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2);
    }
    double beta =
        Math.exp(
            org.apache.commons.math3.special.Gamma.logGamma(a)
                + org.apache.commons.math3.special.Gamma.logGamma(b)
                - org.apache.commons.math3.special.Gamma.logGamma(a + b));
    return sum * h / 3 / (a * beta);
  }
}
