package org.rfmtiers.config;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/**
 * Where the transaction log is and how to read it: format, column mapping, timestamp parsing and
 * how returns are recognised.
 */
public record InputSettings(
    Optional<String> uri,
    String format,
    boolean header,
    String delimiter,
    String timestampFormat,
    String timeZone,
    int amountScale,
    ColumnMapping columns,
    Optional<String> cancellationPrefix,
    boolean negativeAmountIsReturn,
    Anonymous anonymous) {

  /** What a line without a customer id is. */
  public enum Anonymous {
    /** Valid anonymous revenue: in the reconciliation, in no customer. */
    SEPARATE,
    /** A MISSING_CUSTOMER_ID reject. */
    REJECT
  }

  public static final List<String> FORMATS = List.of("csv", "parquet", "delta", "text");

  public InputSettings {
    if (!FORMATS.contains(format)) {
      throw new SettingsException(
          "input.format = \"" + format + "\" is not supported; use one of " + FORMATS);
    }
    if (amountScale < 0 || amountScale > 8) {
      throw new SettingsException(
          "input.amount-scale = " + amountScale + " must be between 0 and 8");
    }
    try {
      ZoneId.of(timeZone);
    } catch (DateTimeException e) {
      throw new SettingsException(
          "input.time-zone = \""
              + timeZone
              + "\" is not a time zone id (e.g. \"UTC\", \"Europe/Berlin\")");
    }
    try {
      DateTimeFormatter.ofPattern(timestampFormat);
    } catch (IllegalArgumentException e) {
      throw new SettingsException(
          "input.timestamp-format = \""
              + timestampFormat
              + "\" is not a valid pattern: "
              + e.getMessage());
    }
  }

  /**
   * The input columns this job reads; order id, amount or quantity/unit price, and a line id are
   * optional.
   */
  public record ColumnMapping(
      String customerId,
      Optional<String> orderId,
      String orderTs,
      Optional<String> amount,
      Optional<String> quantity,
      Optional<String> unitPrice,
      Optional<String> transactionId) {

    public ColumnMapping {
      if (amount.isEmpty() && (quantity.isEmpty() || unitPrice.isEmpty())) {
        throw new SettingsException(
            "input.columns.amount is null, so both input.columns.quantity and input.columns.unit-price must be set");
      }
      if (amount.isPresent() && (quantity.isPresent() != unitPrice.isPresent())) {
        throw new SettingsException(
            "input.columns.quantity and input.columns.unit-price go together: set both or neither");
      }
    }
  }
}
