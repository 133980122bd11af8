package org.rfmtiers.clv;

import static org.junit.jupiter.api.Assertions.*;

import org.apache.commons.math3.special.Gamma;
import org.junit.jupiter.api.Test;

class HypergeometricTest {
  @Test
  void matchesClosedForms() {
    for (double z : new double[] {0.0, 0.3, 0.9, 0.999}) {
      double expected = z == 0 ? 1 : -Math.log1p(-z) / z; // 2F1(1, 1; 2; z)
      assertEquals(expected, Hypergeometric.f21(1, 1, 2, z), 1e-11 * expected, "z = " + z);
      // 2F1(a, b; b; z) = (1 - z)^-a
      assertEquals(
          Math.pow(1 - z, -2.5),
          Hypergeometric.f21(2.5, 3.7, 3.7, z),
          1e-10 * Math.pow(1 - z, -2.5));
    }
  }

  @Test
  void scaledFormAgreesOnBothSidesOfOneHalf() {
    for (double z : new double[] {0.1, 0.39, 0.4, 0.45, 0.5, 0.55, 0.8}) {
      double direct = Math.pow(1 - z, 2.243) * Hypergeometric.f21(2.243, 4.426, 4.219, z);
      assertEquals(direct, Hypergeometric.scaledF21(2.243, 4.426, 4.219, z), 1e-11, "z = " + z);
    }
  }

  @Test
  void scaledFormSurvivesFrequentBuyers() {
    // x = 2000 repeat days: the direct series' terms grow like (1 - z)^-2000 and overflow a double;
    // the
    // rescaled direct series at the switch point must meet Pfaff's transformation just below it.
    double x = 2000;
    double a = 0.243 + x;
    double b = 2.426 + x;
    double c = 0.793 + 2.426 + x - 1;
    double below = Hypergeometric.scaledF21(a, b, c, Hypergeometric.PFAFF_BELOW - 1e-9);
    double above = Hypergeometric.scaledF21(a, b, c, Hypergeometric.PFAFF_BELOW);
    assertTrue(Double.isFinite(below) && Double.isFinite(above));
    assertEquals(below, above, 1e-6 * Math.abs(below));
  }

  @Test
  void matchesEulerIntegralAtCdnowParameters() {
    // 2F1(b, r; c; z) = Gamma(c) / (Gamma(r) Gamma(c - r)) * int_0^1 t^(r-1) (1-t)^(c-r-1)
    // (1-zt)^-b dt,
    // with t = u^(1/r) removing the singularity at 0; Simpson's rule on 200,000 intervals.
    double r = 0.243;
    double b = 2.426;
    double c = 0.793 + 2.426 - 1;
    double z = 39 / (4.414 + 38.857 + 39);
    int n = 200_000;
    double h = 1.0 / n;
    double sum = 0;
    for (int i = 0; i <= n; i++) {
      double u = i * h;
      double t = Math.pow(u, 1 / r);
      double f = i == n ? 0 : Math.pow(1 - t, c - r - 1) * Math.pow(1 - z * t, -b) / r;
      sum += f * (i == 0 || i == n ? 1 : (i % 2 == 1 ? 4 : 2));
    }
    double integral = sum * h / 3;
    double expected =
        Math.exp(Gamma.logGamma(c) - Gamma.logGamma(r) - Gamma.logGamma(c - r)) * integral;
    assertEquals(expected, Hypergeometric.f21(b, r, c, z), 1e-7 * expected);
    assertEquals(expected, Hypergeometric.f21(r, b, c, z), 1e-7 * expected, "symmetric in a and b");
  }

  @Test
  void rejectsArgumentsOutsideTheSeries() {
    assertThrows(IllegalArgumentException.class, () -> Hypergeometric.f21(1, 1, 2, 1.0));
    assertThrows(IllegalArgumentException.class, () -> Hypergeometric.f21(1, 1, -2, 0.5));
  }
}
