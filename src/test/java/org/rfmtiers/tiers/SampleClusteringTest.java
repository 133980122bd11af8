package org.rfmtiers.tiers;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.spark.ml.evaluation.ClusteringEvaluator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.rfmtiers.SparkTestSession;

class SampleClusteringTest {
  /** Three blobs of 100 points around (0,0,0), (5,5,5) and (-5,5,0), plus one far point alone. */
  private static double[][] blobs() {
    Random random = new Random(1);
    double[][] centres = {{0, 0, 0}, {5, 5, 5}, {-5, 5, 0}};
    List<double[]> points = new ArrayList<>();
    for (double[] centre : centres) {
      for (int i = 0; i < 100; i++) {
        points.add(
            new double[] {
              centre[0] + random.nextGaussian() * 0.5,
              centre[1] + random.nextGaussian() * 0.5,
              centre[2] + random.nextGaussian() * 0.5
            });
      }
    }
    return points.toArray(double[][]::new);
  }

  @Test
  void kMeansFindsTheThreeBlobs() {
    double[][] points = blobs();
    int[] assignment = SampleClustering.kMeans(points, 3, 40, 42);
    for (int blob = 0; blob < 3; blob++) {
      Set<Integer> clusters = new HashSet<>();
      for (int i = blob * 100; i < blob * 100 + 100; i++) {
        clusters.add(assignment[i]);
      }
      assertEquals(1, clusters.size(), "blob " + blob + " is one cluster");
    }
    assertArrayEquals(
        assignment, SampleClustering.kMeans(points, 3, 40, 42), "same seed, same clusters");
  }

  @Test
  void silhouetteEqualsSparksClusteringEvaluator() {
    double[][] points = blobs();
    // a deliberately imperfect clustering (k = 4 splits a blob; one singleton) to exercise every
    // branch
    int[] assignment = SampleClustering.kMeans(points, 4, 40, 7);
    assignment[0] = 3;
    for (int i = 1; i < points.length; i++) {
      if (assignment[i] == 3) {
        assignment[i] = 2;
      }
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < points.length; i++) {
      rows.add(RowFactory.create(Vectors.dense(points[i]), assignment[i]));
    }
    StructType schema =
        new StructType()
            .add("features", SQLDataTypes.VectorType())
            .add("prediction", DataTypes.IntegerType);
    double spark =
        new ClusteringEvaluator().evaluate(SparkTestSession.get().createDataFrame(rows, schema));
    assertEquals(spark, SampleClustering.silhouette(points, assignment, 4), 1e-9);
  }
}
