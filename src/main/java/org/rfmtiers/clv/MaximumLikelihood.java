package org.rfmtiers.clv;

import java.util.Arrays;
import java.util.function.IntToDoubleFunction;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;
import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;

/**
 * Maximum-likelihood fitting of positive parameters on the driver with Commons Math's BOBYQA
 * (Powell's bound-constrained trust-region method), searching over log-parameters. The objective is
 * the mean log-likelihood per customer minus an optional L2 penalty on the parameters (as in
 * lifetimes).
 *
 * <p>A fit is converged when BOBYQA stopped on its own (trust region shrunk below 1e-10) within the
 * evaluation budget, no parameter sits on the search bounds, and the gradient of the objective with
 * respect to the log-parameters (central differences) is below {@link #GRADIENT_TOLERANCE}.
 */
final class MaximumLikelihood {
  static final double GRADIENT_TOLERANCE = 1e-4;
  private static final double LOG_BOUND = 18.0;

  private MaximumLikelihood() {}

  /** The outcome of a fit; {@code parameters} in natural (not log) scale. */
  record Fit(
      double[] parameters,
      double meanLogLikelihood,
      int evaluations,
      double gradientNorm,
      boolean converged,
      String problem) {}

  /**
   * @param meanLogLikelihood the mean log-likelihood for natural-scale parameters
   * @param start natural-scale starting point
   */
  static Fit maximize(
      ToDoubleFunction<double[]> meanLogLikelihood,
      double[] start,
      double penalizer,
      int maxEvaluations) {
    int n = start.length;
    ToDoubleFunction<double[]> objective =
        logs -> {
          double[] params = exp(logs);
          double value = meanLogLikelihood.applyAsDouble(params);
          double penalty = 0;
          for (double p : params) {
            penalty += p * p;
          }
          double result = value - penalizer * penalty;
          return Double.isFinite(result) ? result : -1e300;
        };
    double[] lower = new double[n];
    double[] upper = new double[n];
    Arrays.fill(lower, -LOG_BOUND);
    Arrays.fill(upper, LOG_BOUND);
    double[] guess = new double[n];
    for (int i = 0; i < n; i++) {
      guess[i] = Math.log(start[i]);
    }
    BOBYQAOptimizer optimizer = new BOBYQAOptimizer(2 * n + 1, 0.5, 1e-10);
    PointValuePair best;
    try {
      best =
          optimizer.optimize(
              new MaxEval(maxEvaluations),
              new ObjectiveFunction(objective::applyAsDouble),
              GoalType.MAXIMIZE,
              new InitialGuess(guess),
              new SimpleBounds(lower, upper));
    } catch (TooManyEvaluationsException e) {
      return new Fit(
          exp(guess),
          Double.NaN,
          maxEvaluations,
          Double.NaN,
          false,
          "no convergence within "
              + maxEvaluations
              + " likelihood evaluations (clv.max-evaluations)");
    }
    double[] logs = best.getPoint();
    double gradient = gradientNorm(objective, logs);
    double[] params = exp(logs);
    double meanLl = meanLogLikelihood.applyAsDouble(params);
    String problem = null;
    if (Arrays.stream(logs).anyMatch(v -> Math.abs(v) > LOG_BOUND - 1e-6)) {
      problem =
          "a parameter ran to the edge of the search space "
              + Arrays.toString(params)
              + " (degenerate data; try clv.penalizer = 0.001)";
    } else if (!(gradient < GRADIENT_TOLERANCE)) {
      problem = "gradient " + gradient + " at the optimum exceeds " + GRADIENT_TOLERANCE;
    } else if (!Double.isFinite(meanLl)) {
      problem = "log-likelihood is not finite at the optimum";
    }
    return new Fit(params, meanLl, optimizer.getEvaluations(), gradient, problem == null, problem);
  }

  private static double gradientNorm(ToDoubleFunction<double[]> objective, double[] at) {
    double max = 0;
    double h = 1e-5;
    for (int i = 0; i < at.length; i++) {
      double[] up = at.clone();
      double[] down = at.clone();
      up[i] += h;
      down[i] -= h;
      max =
          Math.max(
              max,
              Math.abs((objective.applyAsDouble(up) - objective.applyAsDouble(down)) / (2 * h)));
    }
    return max;
  }

  private static double[] exp(double[] logs) {
    double[] out = new double[logs.length];
    for (int i = 0; i < logs.length; i++) {
      out[i] = Math.exp(logs[i]);
    }
    return out;
  }

  /**
   * Sums {@code term(i)} over {@code count} items in fixed chunks on all cores; the chunk sums are
   * added in order, so the result is the same on every run.
   */
  static double parallelSum(int count, IntToDoubleFunction term) {
    int chunk = 16_384;
    int chunks = (count + chunk - 1) / chunk;
    double[] partial =
        IntStream.range(0, chunks)
            .parallel()
            .mapToDouble(
                c -> {
                  double sum = 0;
                  for (int i = c * chunk, end = Math.min(count, (c + 1) * chunk); i < end; i++) {
                    sum += term.applyAsDouble(i);
                  }
                  return sum;
                })
            .toArray();
    double total = 0;
    for (double p : partial) {
      total += p;
    }
    return total;
  }
}
