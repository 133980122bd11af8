package org.rfmtiers.ingest;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.rfmtiers.Money;
import org.rfmtiers.config.InputSettings;
import org.rfmtiers.config.ValidationSettings;

/**
 * Parses and checks every raw row. Adds the typed columns ({@code customer_id}, {@code order_id},
 * {@code order_ts}, {@code order_date}, {@code amount}, {@code is_return}, {@code transaction_id})
 * and {@code reject_reason}, which is null for a valid row and otherwise the first {@link
 * RejectReason} that applies. Rows are never dropped here: the caller splits on {@code
 * reject_reason}.
 *
 * <p>Dates are computed in the Spark session time zone, which the job sets to {@code
 * input.time-zone}. Returns carry a negative amount whatever sign they were written with.
 */
public final class TransactionValidator {
  public static final int MAX_ID_LENGTH = 512;
  private static final int DECIMAL_WORK_SCALE = 18;

  private final InputSettings input;
  private final ValidationSettings validation;
  private final LocalDate today;
  private final boolean floatingPointAmounts;

  /**
   * @param today the current date in the input time zone; timestamps after today plus {@code
   *     validation.max-future-days} are rejected
   * @param floatingPointAmounts amounts come from a double/float column: round them to the money
   *     scale
   */
  public TransactionValidator(
      InputSettings input,
      ValidationSettings validation,
      LocalDate today,
      boolean floatingPointAmounts) {
    this.input = input;
    this.validation = validation;
    this.today = today;
    this.floatingPointAmounts = floatingPointAmounts;
  }

  public Dataset<Row> apply(Dataset<Row> raw) {
    int scale = input.amountScale();
    BigDecimal limit = BigDecimal.TEN.pow(18 - scale);
    DataType work = DataTypes.createDecimalType(38, DECIMAL_WORK_SCALE);

    Column customerId = trim(col(RAW_CUSTOMER_ID));
    Column orderId = trim(col(RAW_ORDER_ID));
    Column tsText = trim(col(RAW_ORDER_TS));
    Column timestamp =
        coalesce(col(TYPED_ORDER_TS), try_to_timestamp(tsText, lit(input.timestampFormat())));
    Column date = to_date(timestamp);

    boolean fromParts = input.columns().amount().isEmpty();
    Column amountMissing;
    Column asDouble;
    Column exact;
    boolean moneyAlready = false;
    boolean typedAmount = false;
    if (fromParts) {
      Number quantity = number(raw, RAW_QUANTITY, TYPED_QUANTITY);
      Number price = number(raw, RAW_UNIT_PRICE, TYPED_UNIT_PRICE);
      DataType factor = DataTypes.createDecimalType(28, 8);
      amountMissing = quantity.missing().or(price.missing());
      asDouble = quantity.asDouble().multiply(price.asDouble());
      exact = try_multiply(quantity.as(factor), price.as(factor));
    } else {
      Number amount = number(raw, RAW_AMOUNT, TYPED_AMOUNT);
      amountMissing = amount.missing();
      asDouble = amount.asDouble();
      exact = amount.exact().orElseGet(() -> amount.as(work));
      // a decimal column of at most the money scale and range holds money values as they are
      moneyAlready = amount.fitsMoney(scale);
      typedAmount = amount.typedColumn().isPresent();
    }
    // An amount typed as a number is never unparseable (null is MISSING_AMOUNT, checked first) nor
    // non-finite, and its sign is the decimal's: no row converts it to a double (a BigDecimal each
    // time,
    // four times a row) unless it is near the limit. The double of a value below half the limit is
    // below
    // the limit, so the range check still gives the double comparison's outcome, as the same value
    // written as text does.
    Column unparseable = typedAmount ? lit(false) : asDouble.isNull();
    Column nonFinite =
        typedAmount
            ? lit(false)
            : isnan(asDouble).or(abs(asDouble).equalTo(Double.POSITIVE_INFINITY));
    Column doubleBeyondLimit = abs(asDouble).geq(limit.doubleValue());
    Column beyondLimit =
        typedAmount
            ? abs(exact).geq(lit(limit.divide(BigDecimal.valueOf(2)))).and(doubleBeyondLimit)
            : doubleBeyondLimit;
    Column negative = typedAmount ? exact.lt(0) : asDouble.lt(0);
    // Quantity x unit price and binary floating point are rounded half-up to the money scale; an
    // amount
    // written as text or decimal must already fit it (more decimals are a data problem, not
    // rounding).
    boolean rounds = fromParts || floatingPointAmounts;
    Column tooPrecise = rounds || moneyAlready ? lit(false) : exact.notEqual(round(exact, scale));
    Column money = (moneyAlready ? exact : round(exact, scale)).cast(Money.amount(scale));

    Column prefixed =
        input
            .cancellationPrefix()
            .map(prefix -> coalesce(orderId.startsWith(prefix), lit(false)))
            .orElse(lit(false));

    Column reason =
        when(col(RAW_RECORD).isNotNull(), reason(RejectReason.MALFORMED_ROW))
            .when(
                blank(customerId).and(lit(input.anonymous() == InputSettings.Anonymous.REJECT)),
                reason(RejectReason.MISSING_CUSTOMER_ID))
            .when(length(customerId).gt(MAX_ID_LENGTH), reason(RejectReason.CUSTOMER_ID_TOO_LONG))
            .when(
                lit(input.columns().orderId().isPresent()).and(blank(orderId)),
                reason(RejectReason.MISSING_ORDER_ID))
            .when(
                col(TYPED_ORDER_TS).isNull().and(blank(tsText)),
                reason(RejectReason.MISSING_TIMESTAMP))
            .when(timestamp.isNull(), reason(RejectReason.BAD_TIMESTAMP))
            .when(
                date.lt(lit(Date.valueOf(validation.minDate())))
                    .or(date.gt(lit(Date.valueOf(today.plusDays(validation.maxFutureDays()))))),
                reason(RejectReason.TIMESTAMP_OUT_OF_RANGE))
            .when(amountMissing, reason(RejectReason.MISSING_AMOUNT))
            .when(unparseable, reason(RejectReason.BAD_AMOUNT))
            .when(nonFinite, reason(RejectReason.NON_FINITE_AMOUNT))
            .when(beyondLimit.or(exact.isNull()), reason(RejectReason.AMOUNT_OUT_OF_RANGE))
            .when(tooPrecise, reason(RejectReason.AMOUNT_TOO_PRECISE))
            .when(
                negative.and(not(prefixed)).and(lit(!input.negativeAmountIsReturn())),
                reason(RejectReason.NEGATIVE_NOT_RETURN));

    Column isReturn = prefixed.or(negative);
    Dataset<Row> checked =
        raw.withColumn(REJECT_REASON, reason)
            // an anonymous line (input.anonymous = separate) has no customer: null, not ""
            .withColumn(CUSTOMER_ID, when(not(blank(customerId)), customerId))
            .withColumn(
                ORDER_ID,
                input.columns().orderId().isPresent() ? orderId : lit(null).cast("string"))
            .withColumn(ORDER_TS, timestamp)
            .withColumn(ORDER_DATE, date)
            .withColumn(IS_RETURN, isReturn)
            .withColumn(
                AMOUNT,
                when(
                        col(REJECT_REASON).isNull(),
                        when(isReturn, negate(abs(money))).otherwise(money))
                    .cast(Money.amount(scale)))
            .withColumn(TRANSACTION_ID, trim(col(RAW_TRANSACTION_ID)));
    if (input.columns().transactionId().isPresent()) {
      checked = markDuplicates(checked);
    }
    return checked;
  }

  /** The second and later valid rows with the same transaction id are DUPLICATE_TRANSACTION. */
  private static Dataset<Row> markDuplicates(Dataset<Row> checked) {
    Column occurrence =
        row_number()
            .over(
                Window.partitionBy(col(TRANSACTION_ID), col(REJECT_REASON).isNull())
                    .orderBy(
                        col(SOURCE_FILE),
                        col(RAW_CUSTOMER_ID),
                        col(RAW_ORDER_TS),
                        col(TYPED_ORDER_TS),
                        col(RAW_AMOUNT),
                        col(RAW_ORDER_ID)));
    Column duplicate =
        col(REJECT_REASON)
            .isNull()
            .and(col(TRANSACTION_ID).isNotNull())
            .and(not(blank(col(TRANSACTION_ID))))
            .and(occurrence.gt(1));
    return checked
        .withColumn(
            REJECT_REASON,
            when(duplicate, reason(RejectReason.DUPLICATE_TRANSACTION))
                .otherwise(col(REJECT_REASON)))
        .withColumn(AMOUNT, when(col(REJECT_REASON).isNull(), col(AMOUNT)));
  }

  /**
   * An amount, quantity or price: the text to parse, or, when the input typed it as a decimal or an
   * integer ({@link TransactionSource}), that typed column, checked as a number without printing
   * it.
   */
  private record Number(Column text, Optional<Column> typedColumn, Optional<DataType> type) {
    Column missing() {
      return typedColumn.map(Column::isNull).orElseGet(() -> blank(text));
    }

    Column asDouble() {
      return typedColumn.map(c -> c.cast("double")).orElseGet(() -> text.try_cast("double"));
    }

    /** The value in {@code decimal}, null when it does not fit (or, as text, is not a number). */
    Column as(DataType decimal) {
      return typedColumn.orElse(text).try_cast(decimal);
    }

    /** A typed decimal value as it is. */
    Optional<Column> exact() {
      return type.filter(t -> t instanceof DecimalType).flatMap(t -> typedColumn);
    }

    /**
     * Whether every value of the column is a money value already: a decimal with no more decimals,
     * no larger.
     */
    boolean fitsMoney(int scale) {
      return type.filter(t -> t instanceof DecimalType)
          .map(t -> (DecimalType) t)
          .map(t -> t.scale() <= scale && t.precision() - t.scale() <= 18 - scale)
          .orElse(false);
    }
  }

  private static Number number(Dataset<Row> raw, String textName, String typedName) {
    Column text = trim(col(textName));
    if (!Arrays.asList(raw.columns()).contains(typedName)) {
      return new Number(text, Optional.empty(), Optional.empty());
    }
    return new Number(
        text, Optional.of(col(typedName)), Optional.of(raw.schema().apply(typedName).dataType()));
  }

  private static Column blank(Column text) {
    return text.isNull().or(text.equalTo(""));
  }

  private static Column reason(RejectReason reason) {
    return lit(reason.name());
  }
}
