package org.rfmtiers.output;

import static org.apache.spark.sql.functions.desc;
import static org.rfmtiers.Columns.*;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.mllib.clustering.KMeansModel;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.rfmtiers.tiers.TierModel;

/**
 * The kept tier models: the tier_model table (one row per training) and each model's MLlib {@code
 * KMeansModel} under {@code <warehouse>/tier_model_files/<model_id>}. The model a night reuses is
 * the last one recorded.
 */
public final class TierModelStore {
  static final String FILES = "tier_model_files";

  private final SparkSession spark;
  private final DeltaTables tables;
  private final int scale;

  public TierModelStore(SparkSession spark, DeltaTables tables, int scale) {
    this.spark = spark;
    this.tables = tables;
    this.scale = scale;
  }

  /** The last model recorded, if any. */
  public Optional<TierModel> latest() {
    if (!tables.exists(Tables.TIER_MODEL)) {
      return Optional.empty();
    }
    List<Row> rows =
        tables.readAll(Tables.TIER_MODEL).orderBy(desc(TRAINED_AT)).limit(1).collectAsList();
    return rows.isEmpty() ? Optional.empty() : Optional.of(fromRow(rows.get(0)));
  }

  /** Where a model's MLlib files are. */
  public String path(String modelId) {
    return tables.warehouse() + "/" + FILES + "/" + modelId;
  }

  /**
   * Records a model trained this night: its MLlib files first, then its row (a night whose row is
   * written has its files).
   */
  public void record(TierModel model, Instant trainedAt) {
    Vector[] centres = new Vector[model.k()];
    for (int c = 0; c < model.k(); c++) {
      centres[c] = Vectors.dense(model.tiers().get(c).centre());
    }
    new KMeansModel(centres).save(spark.sparkContext(), path(model.modelId()));
    TableSchema schema = Tables.tierModel(scale);
    tables.append(schema, spark.createDataFrame(List.of(toRow(model, trainedAt)), schema.schema()));
  }

  /** The saved MLlib model of a recorded model. */
  public KMeansModel load(String modelId) {
    return KMeansModel.load(spark.sparkContext(), path(modelId));
  }

  private Row toRow(TierModel model, Instant trainedAt) {
    List<Row> tiers = new ArrayList<>();
    for (int c = 0; c < model.k(); c++) {
      TierModel.Tier t = model.tiers().get(c);
      tiers.add(
          RowFactory.create(
              c,
              t.tier(),
              t.code(),
              t.suffix(),
              t.rankName(),
              t.rankByValue(),
              t.level(0),
              t.level(1),
              t.level(2),
              doubles(t.centre()),
              doubles(t.percentiles()),
              t.original(model, 0),
              t.original(model, 1),
              BigDecimal.valueOf(t.original(model, 2)).setScale(scale, RoundingMode.HALF_UP),
              t.value()));
    }
    return RowFactory.create(
        model.modelId(),
        Date.valueOf(model.trainedSnapshot()),
        model.runId(),
        Timestamp.from(trainedAt),
        model.reason(),
        model.k(),
        model.selection(),
        model.silhouette(),
        model.silhouetteByK(),
        model.sampleSize(),
        model.trainingCustomers(),
        model.seed(),
        model.settingsKey(),
        model.valueCriterion(),
        model.previousModelId().orElse(null),
        model.matching(),
        doubles(model.low()),
        doubles(model.high()),
        doubles(model.mean()),
        doubles(model.std()),
        tiers,
        nested(model.psiEdges()),
        nested(model.psiShares()),
        path(model.modelId()));
  }

  private static TierModel fromRow(Row r) {
    List<TierModel.Tier> tiers = new ArrayList<>();
    for (Row t : r.<Row>getList(r.fieldIndex(TIERS))) {
      tiers.add(
          new TierModel.Tier(
              t.getAs(TIER),
              t.getAs(TIER_CODE),
              t.<Integer>getAs(TIER_SUFFIX),
              t.getAs(RANK_NAME),
              t.<Integer>getAs(TIER_RANK),
              array(t.getList(t.fieldIndex(CENTRE_SCALED))),
              array(t.getList(t.fieldIndex(PERCENTILES))),
              t.<Double>getAs(TIER_VALUE)));
    }
    Map<Integer, Double> byK = r.getJavaMap(r.fieldIndex(SILHOUETTE_BY_K));
    return new TierModel(
        r.getAs(MODEL_ID),
        r.<Date>getAs(TRAINED_SNAPSHOT_DATE).toLocalDate(),
        r.getAs(RUN_ID),
        r.getAs(REASON),
        r.getAs(K_SELECTION),
        r.getAs(SILHOUETTE),
        byK == null ? Map.of() : new TreeMap<>(byK),
        r.<Long>getAs(SAMPLE_SIZE),
        r.<Long>getAs(TRAINING_CUSTOMERS),
        r.<Long>getAs(SEED),
        r.getAs(SETTINGS),
        r.getAs(VALUE_CRITERION),
        Optional.ofNullable(r.getAs(PREVIOUS_MODEL_ID)),
        r.getAs(MATCHING),
        array(r.getList(r.fieldIndex(WINSORIZE_LOW))),
        array(r.getList(r.fieldIndex(WINSORIZE_HIGH))),
        array(r.getList(r.fieldIndex(LOG_MEAN))),
        array(r.getList(r.fieldIndex(LOG_STD))),
        tiers,
        arrays(r.getList(r.fieldIndex(PSI_EDGES))),
        arrays(r.getList(r.fieldIndex(PSI_SHARES))));
  }

  private static List<Double> doubles(double[] values) {
    List<Double> list = new ArrayList<>();
    for (double v : values) {
      list.add(v);
    }
    return list;
  }

  private static List<List<Double>> nested(double[][] values) {
    List<List<Double>> list = new ArrayList<>();
    for (double[] v : values) {
      list.add(doubles(v));
    }
    return list;
  }

  private static double[] array(List<?> list) {
    double[] out = new double[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) list.get(i)).doubleValue();
    }
    return out;
  }

  private static double[][] arrays(List<?> lists) {
    double[][] out = new double[lists.size()][];
    for (int i = 0; i < out.length; i++) {
      Object inner = lists.get(i);
      out[i] =
          array(
              inner instanceof scala.collection.Seq<?> seq
                  ? new ArrayList<>(scala.jdk.javaapi.CollectionConverters.asJava(seq))
                  : new ArrayList<>((List<?>) inner));
    }
    return out;
  }
}
