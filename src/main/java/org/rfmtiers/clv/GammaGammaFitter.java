package org.rfmtiers.clv;

import java.util.Arrays;
import java.util.function.ToDoubleFunction;

/**
 * Fits {@link GammaGamma} by maximum likelihood on repeat buyers grouped by identical (x, m_x), the
 * model's sufficient statistics; only the distinct pairs reach the driver.
 */
public final class GammaGammaFitter {
  private GammaGammaFitter() {}

  /** Repeat buyers grouped by repeat transactions x >= 1 and their mean value m_x > 0. */
  public record Groups(int[] x, double[] meanValue, long[] count) {
    public long customers() {
      return Arrays.stream(count).sum();
    }
  }

  public static ModelFit<GammaGamma> fit(Groups groups, double penalizer, int maxEvaluations) {
    long customers = groups.customers();
    int maxX = 0;
    double meanValue = 0;
    for (int i = 0; i < groups.x().length; i++) {
      maxX = Math.max(maxX, groups.x()[i]);
      meanValue += groups.meanValue()[i] * groups.count()[i];
    }
    meanValue /= customers;
    final int distinctX = maxX + 1;
    // per group, whatever the parameters: ln m_x and ln x
    int n = groups.x().length;
    double[] logMean = new double[n];
    double[] logX = new double[n];
    for (int i = 0; i < n; i++) {
      logMean[i] = Math.log(groups.meanValue()[i]);
      logX[i] = Math.log(groups.x()[i]);
    }
    ToDoubleFunction<double[]> meanLogLikelihood =
        params -> {
          GammaGamma model = new GammaGamma(params[0], params[1], params[2]);
          double[] xTerms = new double[distinctX];
          for (int x = 1; x < distinctX; x++) {
            xTerms[x] = model.xTerms(x);
          }
          double sum =
              MaximumLikelihood.parallelSum(
                  n,
                  i -> {
                    int x = groups.x()[i];
                    return groups.count()[i]
                        * model.logLikelihood(
                            x, groups.meanValue()[i], logMean[i], logX[i], xTerms[x]);
                  });
          return sum / customers;
        };
    // Start: q = 2 so the population mean p gamma / (q - 1) equals the observed mean for p = 1.
    double[] start = {1.0, 2.0, Math.max(1e-3, meanValue)};
    MaximumLikelihood.Fit fit =
        MaximumLikelihood.maximize(meanLogLikelihood, start, penalizer, maxEvaluations);
    double[] p = fit.parameters();
    return new ModelFit<>(
        new GammaGamma(p[0], p[1], p[2]),
        fit.meanLogLikelihood() * customers,
        fit.evaluations(),
        fit.gradientNorm(),
        fit.converged(),
        fit.problem(),
        customers,
        groups.x().length);
  }
}
