package org.rfmtiers.clv;

/**
 * A fitted model with what a reader needs to trust it: the total log-likelihood, how many
 * likelihood evaluations it took, the gradient norm at the optimum, whether it converged (and if
 * not, why), and how many customers in how many distinct sufficient-statistic groups it was fitted
 * on.
 */
public record ModelFit<M>(
    M model,
    double logLikelihood,
    int evaluations,
    double gradientNorm,
    boolean converged,
    String problem,
    long customers,
    int groups) {}
