package org.rfmtiers.clv;

/**
 * The Gauss hypergeometric function 2F1(a, b; c; z) for real parameters and 0 <= z < 1, by its
 * power series (Abramowitz &amp; Stegun 15.1.1). The BG/NBD conditional expectation needs it with z
 * = t / (alpha + T + t), always in [0, 1). Neither Commons Math nor Breeze ships 2F1, hence this
 * class.
 *
 * <p>Convergence bound: the ratio of consecutive terms is rho_k = f(k) z with f(k) = (a + k)(b + k)
 * / ((c + k)(k + 1)) = 1 + ((a + b - c - 1) k + ab - c) / ((c + k)(k + 1)), which is monotone in k
 * once k is past the parameters' size and tends to 1. From such a k on, every later ratio is at
 * most rho = max(|rho_k|, |z|) < 1, so the remainder after term k is at most the geometric tail
 * |t_k| rho / (1 - rho). Summation stops when that bound is below {@link #TOLERANCE} times the
 * partial sum: an upper bound on the truncation error, not an estimate.
 *
 * <p>{@link #scaledF21} returns (1 - z)^a 2F1(a, b; c; z), the form BG/NBD uses, without overflow
 * for frequent buyers (large a and b): for z < 0.4 through Pfaff's transformation (1 - z)^a 2F1(a,
 * b; c; z) = 2F1(a, c - b; c; z / (z - 1)) (A&amp;S 15.3.4), whose series converges like (z / (1 -
 * z))^k whatever the size of a; from 0.4 on by the direct series with running rescaling.
 */
public final class Hypergeometric {
  static final double TOLERANCE = 1e-13;
  static final int MAX_TERMS = 10_000_000;

  /** Below this z the Pfaff form is used; its series then converges at least like (2/3)^k. */
  static final double PFAFF_BELOW = 0.4;

  private static final double RESCALE_ABOVE = 1e250;

  private Hypergeometric() {}

  /** 2F1(a, b; c; z) for 0 <= z < 1. */
  public static double f21(double a, double b, double c, double z) {
    checkArguments(c, z);
    double[] sumAndLogScale = series(a, b, c, z);
    return sumAndLogScale[0] * Math.exp(sumAndLogScale[1]);
  }

  /** (1 - z)^a 2F1(a, b; c; z) for 0 <= z < 1, computed without intermediate overflow. */
  public static double scaledF21(double a, double b, double c, double z) {
    checkArguments(c, z);
    if (z < PFAFF_BELOW) {
      double[] pfaff = series(a, c - b, c, z / (z - 1));
      return pfaff[0] * Math.exp(pfaff[1]);
    }
    double[] direct = series(a, b, c, z);
    return Math.signum(direct[0])
        * Math.exp(Math.log(Math.abs(direct[0])) + direct[1] + a * Math.log1p(-z));
  }

  private static void checkArguments(double c, double z) {
    if (!(z > -1 && z < 1)) {
      throw new IllegalArgumentException("2F1 series needs |z| < 1, got z = " + z);
    }
    if (c <= 0 && c == Math.rint(c)) {
      throw new IllegalArgumentException("2F1 undefined for c = " + c);
    }
  }

  /** The series' sum as {value, log of a scale factor}: 2F1 = value * exp(logScale). */
  private static double[] series(double a, double b, double c, double z) {
    double monotoneFrom = 2 * (Math.abs(a) + Math.abs(b) + Math.abs(c)) + 2;
    double term = 1.0;
    double sum = 1.0;
    double logScale = 0.0;
    for (int k = 0; k < MAX_TERMS; k++) {
      double ratio = (a + k) * (b + k) / ((c + k) * (k + 1)) * z;
      term *= ratio;
      sum += term;
      if (term == 0.0) {
        return new double[] {sum, logScale};
      }
      if (Math.abs(term) > RESCALE_ABOVE) {
        term /= RESCALE_ABOVE;
        sum /= RESCALE_ABOVE;
        logScale += Math.log(RESCALE_ABOVE);
      }
      if (k > monotoneFrom) {
        double rho = Math.max(Math.abs(ratio), Math.abs(z));
        if (rho < 1 && Math.abs(term) * rho / (1 - rho) <= TOLERANCE * Math.abs(sum)) {
          return new double[] {sum, logScale};
        }
      }
    }
    throw new ArithmeticException(
        "2F1("
            + a
            + ", "
            + b
            + "; "
            + c
            + "; "
            + z
            + ") did not converge in "
            + MAX_TERMS
            + " terms");
  }
}
