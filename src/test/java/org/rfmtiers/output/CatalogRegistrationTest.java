package org.rfmtiers.output;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rfmtiers.SparkTestSession;
import org.rfmtiers.config.SettingsException;
import org.rfmtiers.config.SettingsLoader;

/** --catalog takes a schema or catalog.schema (Unity Catalog's three-level names). */
class CatalogRegistrationTest {
  @TempDir Path dir;

  @Test
  void aTwoPartNameRegistersTheTablesInThatCatalogsSchema() {
    assertEquals(
        "main.crm",
        SettingsLoader.load(null, Map.of("output.catalog-database", "main.crm"))
            .catalogDatabase()
            .orElseThrow());
    SettingsException bad =
        assertThrows(
            SettingsException.class,
            () -> SettingsLoader.load(null, Map.of("output.catalog-database", "a.b.c")));
    assertTrue(bad.getMessage().contains("catalog.schema"), bad.getMessage());

    // the local session catalog is spark_catalog: spark_catalog.rfm_two is a two-part name here
    SparkSession spark = SparkTestSession.get();
    DeltaTables tables = new DeltaTables(spark, dir.resolve("warehouse").toString());
    TableSchema rfm = Tables.customerRfm(2);
    tables.replaceAll(rfm, spark.createDataFrame(List.of(), rfm.schema()));
    tables.register("spark_catalog.rfm_two", List.of(Tables.CUSTOMER_RFM, Tables.RUN_LOG));
    assertEquals(0, spark.sql("SELECT * FROM spark_catalog.rfm_two.customer_rfm").count());
    assertEquals(
        0, spark.sql("SELECT * FROM spark_catalog.rfm_two.customer_tiers_current_view").count());
    assertFalse(
        spark.catalog().tableExists("rfm_two.run_log"),
        "run_log does not exist yet: not registered");
  }
}
