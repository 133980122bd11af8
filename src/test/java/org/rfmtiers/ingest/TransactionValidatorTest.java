package org.rfmtiers.ingest;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.*;
import static org.rfmtiers.Columns.*;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rfmtiers.SparkTestSession;
import org.rfmtiers.TestRows;
import org.rfmtiers.config.InputSettings;
import org.rfmtiers.config.SettingsLoader;
import org.rfmtiers.config.ValidationSettings;

class TransactionValidatorTest {
  private static final LocalDate TODAY = LocalDate.of(2024, 6, 30);

  @BeforeAll
  static void utc() {
    SparkTestSession.get().conf().set("spark.sql.session.timeZone", "UTC");
  }

  private static Map<String, Row> validate(Map<String, String> overrides, String[]... rows) {
    var settings = SettingsLoader.load(null, overrides);
    InputSettings input = settings.input();
    ValidationSettings validation = settings.validation();
    Map<String, Row> byOrder = new HashMap<>();
    for (Row r :
        new TransactionValidator(input, validation, TODAY, false)
            .apply(TestRows.raw(rows))
            .select(RAW_ORDER_ID, REJECT_REASON, CUSTOMER_ID, AMOUNT, IS_RETURN, ORDER_DATE)
            .collectAsList()) {
      byOrder.put(r.getString(0), r);
    }
    return byOrder;
  }

  /**
   * input.anonymous = separate (the default): a line without a customer id is valid, with no
   * customer; its other fields are still checked.
   */
  @Test
  void anonymousLinesAreValidWithoutACustomer() {
    Map<String, Row> rows =
        validate(
            Map.of(),
            new String[] {"  ", "blank-customer", "2024-01-01 10:00:00", "1.00"},
            new String[] {null, "null-customer", "2024-01-02 10:00:00", "-2.50"},
            new String[] {"", "anonymous-bad-ts", "2024-13-45 10:00:00", "1.00"});
    assertNull(rows.get("blank-customer").getString(1));
    assertNull(rows.get("blank-customer").getString(2), "no customer, not a blank one");
    assertEquals(new BigDecimal("1.00"), rows.get("blank-customer").getDecimal(3));
    assertNull(rows.get("null-customer").getString(1));
    assertEquals(new BigDecimal("-2.50"), rows.get("null-customer").getDecimal(3));
    assertTrue(rows.get("null-customer").getBoolean(4), "a negative amount is a return");
    assertEquals("BAD_TIMESTAMP", rows.get("anonymous-bad-ts").getString(1));
  }

  @Test
  void eachBadRowGetsItsReason() {
    Map<String, Row> rows =
        validate(
            Map.of("input.anonymous", "reject"),
            new String[] {"A", "ok", "2024-01-01 10:00:00", "10.50"},
            new String[] {"  ", "blank-customer", "2024-01-01 10:00:00", "1.00"},
            new String[] {null, "null-customer", "2024-01-01 10:00:00", "1.00"},
            new String[] {"A", "bad-ts", "2024-13-45 10:00:00", "1.00"},
            new String[] {"A", "no-ts", "", "1.00"},
            new String[] {"A", "ancient", "1850-01-01 00:00:00", "1.00"},
            new String[] {"A", "future", "2031-01-01 00:00:00", "1.00"},
            new String[] {"A", "text-amount", "2024-01-01 10:00:00", "abc"},
            new String[] {"A", "no-amount", "2024-01-01 10:00:00", null},
            new String[] {"A", "nan", "2024-01-01 10:00:00", "NaN"},
            new String[] {"A", "inf", "2024-01-01 10:00:00", "-Infinity"},
            new String[] {"A", "huge", "2024-01-01 10:00:00", "1e30"},
            new String[] {"A", "precise", "2024-01-01 10:00:00", "1.234"},
            new String[] {"A", "malformed", null, null, null, null, null, "A,malformed"},
            new String[] {"A", "", "2024-01-01 10:00:00", "1.00"},
            new String[] {"A".repeat(600), "long-id", "2024-01-01 10:00:00", "1.00"});
    assertNull(rows.get("ok").getString(1));
    assertEquals(new BigDecimal("10.50"), rows.get("ok").getDecimal(3));
    assertEquals("MISSING_CUSTOMER_ID", rows.get("blank-customer").getString(1));
    assertEquals("MISSING_CUSTOMER_ID", rows.get("null-customer").getString(1));
    assertEquals("BAD_TIMESTAMP", rows.get("bad-ts").getString(1));
    assertEquals("MISSING_TIMESTAMP", rows.get("no-ts").getString(1));
    assertEquals("TIMESTAMP_OUT_OF_RANGE", rows.get("ancient").getString(1));
    assertEquals("TIMESTAMP_OUT_OF_RANGE", rows.get("future").getString(1));
    assertEquals("BAD_AMOUNT", rows.get("text-amount").getString(1));
    assertEquals("MISSING_AMOUNT", rows.get("no-amount").getString(1));
    assertEquals("NON_FINITE_AMOUNT", rows.get("nan").getString(1));
    assertEquals("NON_FINITE_AMOUNT", rows.get("inf").getString(1));
    assertEquals("AMOUNT_OUT_OF_RANGE", rows.get("huge").getString(1));
    assertEquals("AMOUNT_TOO_PRECISE", rows.get("precise").getString(1));
    assertEquals("MALFORMED_ROW", rows.get("malformed").getString(1));
    assertEquals("MISSING_ORDER_ID", rows.get("").getString(1));
    assertEquals("CUSTOMER_ID_TOO_LONG", rows.get("long-id").getString(1));
    rows.values().stream()
        .filter(r -> r.getString(1) != null)
        .forEach(r -> assertTrue(r.isNullAt(3), "a rejected row carries no amount: " + r));
  }

  @Test
  void returnsAreNegativeWhetherMarkedByPrefixOrSign() {
    Map<String, Row> rows =
        validate(
            Map.of("input.cancellation.order-id-prefix", "C"),
            new String[] {"A", "C100", "2024-01-02 10:00:00", "25.00"},
            new String[] {"A", "O101", "2024-01-02 10:00:00", "-5.00"},
            new String[] {"A", "O102", "2024-01-02 10:00:00", "7.00"});
    assertTrue(rows.get("C100").getBoolean(4));
    assertEquals(new BigDecimal("-25.00"), rows.get("C100").getDecimal(3));
    assertTrue(rows.get("O101").getBoolean(4));
    assertEquals(new BigDecimal("-5.00"), rows.get("O101").getDecimal(3));
    assertFalse(rows.get("O102").getBoolean(4));
  }

  @Test
  void negativeAmountIsRejectedWhenNotConfiguredAsReturn() {
    Map<String, Row> rows =
        validate(
            Map.of("input.cancellation.negative-amount", "false"),
            new String[] {"A", "O1", "2024-01-02 10:00:00", "-5.00"});
    assertEquals("NEGATIVE_NOT_RETURN", rows.get("O1").getString(1));
  }

  @Test
  void quantityTimesUnitPriceIsRoundedHalfUp() {
    Map<String, Row> rows =
        validate(
            Map.of(
                "input.columns.amount",
                "null",
                "input.columns.quantity",
                "q",
                "input.columns.unit-price",
                "p"),
            new String[] {"A", "O1", "2024-01-02 10:00:00", null, "3", "0.335"},
            new String[] {"A", "O2", "2024-01-02 10:00:00", null, "x", "1.00"});
    assertEquals(new BigDecimal("1.01"), rows.get("O1").getDecimal(3), "3 x 0.335 = 1.005 -> 1.01");
    assertEquals("BAD_AMOUNT", rows.get("O2").getString(1));
  }

  @Test
  void datesAreTakenInTheInputTimeZone() {
    var spark = SparkTestSession.get();
    try {
      spark.conf().set("spark.sql.session.timeZone", "America/New_York");
      Map<String, Row> rows =
          validate(
              Map.of("input.timestamp-format", "yyyy-MM-dd HH:mm:ssXXX"),
              new String[] {"A", "O1", "2024-03-10 03:30:00+00:00", "1.00"});
      // 03:30 UTC is still 9 March in New York
      assertEquals(LocalDate.of(2024, 3, 9), rows.get("O1").getDate(5).toLocalDate());
    } finally {
      spark.conf().set("spark.sql.session.timeZone", "UTC");
    }
  }

  @Test
  void repeatedTransactionIdIsCountedOnce() {
    var settings = SettingsLoader.load(null, Map.of("input.columns.transaction-id", "line_id"));
    var result =
        new TransactionValidator(settings.input(), settings.validation(), TODAY, false)
            .apply(
                TestRows.raw(
                    new String[] {"A", "O1", "2024-01-02 10:00:00", "5.00", null, null, "L1"},
                    new String[] {"A", "O1", "2024-01-02 10:00:00", "5.00", null, null, "L1"},
                    new String[] {"A", "O1", "2024-01-02 10:00:00", "3.00", null, null, "L2"}));
    assertEquals(2, result.filter(col(REJECT_REASON).isNull()).count());
    assertEquals(1, result.filter(col(REJECT_REASON).equalTo("DUPLICATE_TRANSACTION")).count());
  }
}
