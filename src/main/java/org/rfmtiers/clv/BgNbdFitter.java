package org.rfmtiers.clv;

import java.util.Arrays;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.special.Gamma;

/**
 * Fits {@link BgNbd} by maximum likelihood on customers grouped by identical (x, t_x, T): the
 * likelihood is a sum over customers, so each distinct triple is evaluated once and weighted by its
 * count. The groups are built on the executors; only the distinct triples reach the driver.
 */
public final class BgNbdFitter {
  private BgNbdFitter() {}

  /** Customers grouped by sufficient statistics, times in the model's unit. */
  public record Groups(int[] x, double[] tx, double[] t, long[] count) {
    public long customers() {
      return Arrays.stream(count).sum();
    }
  }

  public static ModelFit<BgNbd> fit(Groups groups, double penalizer, int maxEvaluations) {
    long customers = groups.customers();
    int maxX = 0;
    double meanT = 0;
    for (int i = 0; i < groups.x().length; i++) {
      maxX = Math.max(maxX, groups.x()[i]);
      meanT += groups.t()[i] * groups.count()[i];
    }
    meanT /= customers;
    final int distinctX = maxX + 1;
    ToDoubleFunction<double[]> meanLogLikelihood =
        params -> {
          BgNbd model = new BgNbd(params[0], params[1], params[2], params[3]);
          double[] logA1 = new double[distinctX];
          double[] logA2 = new double[distinctX];
          double lgR = Gamma.logGamma(model.r());
          double lgB = Gamma.logGamma(model.b());
          double lgAB = Gamma.logGamma(model.a() + model.b());
          for (int x = 0; x < distinctX; x++) {
            logA1[x] = Gamma.logGamma(model.r() + x) - lgR + model.r() * Math.log(model.alpha());
            logA2[x] =
                lgAB
                    + Gamma.logGamma(model.b() + x)
                    - lgB
                    - Gamma.logGamma(model.a() + model.b() + x);
          }
          double sum =
              MaximumLikelihood.parallelSum(
                  groups.x().length,
                  i -> {
                    int x = groups.x()[i];
                    return groups.count()[i]
                        * model.logLikelihood(x, groups.tx()[i], groups.t()[i], logA1[x], logA2[x]);
                  });
          return sum / customers;
        };
    // Start: a typical customer buys about once per mean age, and drops out with even odds.
    double[] start = {1.0, Math.max(1.0, meanT), 1.0, 1.0};
    MaximumLikelihood.Fit fit =
        MaximumLikelihood.maximize(meanLogLikelihood, start, penalizer, maxEvaluations);
    double[] p = fit.parameters();
    return new ModelFit<>(
        new BgNbd(p[0], p[1], p[2], p[3]),
        fit.meanLogLikelihood() * customers,
        fit.evaluations(),
        fit.gradientNorm(),
        fit.converged(),
        fit.problem(),
        customers,
        groups.x().length);
  }
}
