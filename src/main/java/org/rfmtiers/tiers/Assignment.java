package org.rfmtiers.tiers;

import java.util.Arrays;

/**
 * The optimal assignment of rows to columns of a cost matrix (the Hungarian method with potentials,
 * O(n^3)): used to match a retrained model's tiers to the previous model's by centre distance. A
 * rectangular matrix is padded with zero-cost dummies, so with more rows than columns some rows get
 * no column (-1).
 */
final class Assignment {
  private Assignment() {}

  /** For every row, its column, or -1 when it was matched to a dummy column. */
  static int[] minimise(double[][] cost) {
    int rows = cost.length;
    int columns = rows == 0 ? 0 : cost[0].length;
    int n = Math.max(rows, columns);
    if (n == 0) {
      return new int[0];
    }
    double[][] a = new double[n + 1][n + 1];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < columns; j++) {
        a[i + 1][j + 1] = cost[i][j];
      }
    }
    double[] u = new double[n + 1];
    double[] v = new double[n + 1];
    int[] rowOfColumn = new int[n + 1];
    int[] way = new int[n + 1];
    for (int i = 1; i <= n; i++) {
      rowOfColumn[0] = i;
      int j0 = 0;
      double[] slack = new double[n + 1];
      Arrays.fill(slack, Double.POSITIVE_INFINITY);
      boolean[] used = new boolean[n + 1];
      do {
        used[j0] = true;
        int i0 = rowOfColumn[j0];
        double delta = Double.POSITIVE_INFINITY;
        int j1 = 0;
        for (int j = 1; j <= n; j++) {
          if (!used[j]) {
            double reduced = a[i0][j] - u[i0] - v[j];
            if (reduced < slack[j]) {
              slack[j] = reduced;
              way[j] = j0;
            }
            if (slack[j] < delta) {
              delta = slack[j];
              j1 = j;
            }
          }
        }
        for (int j = 0; j <= n; j++) {
          if (used[j]) {
            u[rowOfColumn[j]] += delta;
            v[j] -= delta;
          } else {
            slack[j] -= delta;
          }
        }
        j0 = j1;
      } while (rowOfColumn[j0] != 0);
      do {
        int j1 = way[j0];
        rowOfColumn[j0] = rowOfColumn[j1];
        j0 = j1;
      } while (j0 != 0);
    }
    int[] columnOfRow = new int[rows];
    Arrays.fill(columnOfRow, -1);
    for (int j = 1; j <= n; j++) {
      int i = rowOfColumn[j];
      if (i >= 1 && i <= rows && j <= columns) {
        columnOfRow[i - 1] = j - 1;
      }
    }
    return columnOfRow;
  }
}
