package org.rfmtiers.job;

/**
 * A run that must not publish a snapshot (reject rate exceeded, nothing valid, reconciliation
 * broken).
 */
public class JobFailure extends RuntimeException {
  public JobFailure(String message) {
    super(message);
  }

  /** A failure whose message says what to do; {@code cause} is the exception behind it. */
  public JobFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
