package org.rfmtiers.ingest;

/**
 * A fatal problem with the input itself (missing path, missing column, nothing readable); names the
 * fix.
 */
public class InputException extends RuntimeException {
  public InputException(String message) {
    super(message);
  }
}
