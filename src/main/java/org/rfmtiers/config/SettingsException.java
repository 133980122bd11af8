package org.rfmtiers.config;

/**
 * A configuration or command-line problem the user must fix; the message names the key and the
 * allowed values.
 */
public class SettingsException extends RuntimeException {
  public SettingsException(String message) {
    super(message);
  }
}
