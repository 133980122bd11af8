package org.rfmtiers.clv;

/** A fit that did not converge or gives an undefined prediction: the run must not publish it. */
public class ClvFitException extends RuntimeException {
  public ClvFitException(String message) {
    super(message);
  }
}
