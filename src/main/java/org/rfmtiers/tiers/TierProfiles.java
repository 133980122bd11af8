package org.rfmtiers.tiers;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a tier's name is made of: its typical customer (the median member on the selection sample),
 * where that customer sits among the night's customers on R, F and M (the profile looked up in
 * tiers.profile-names), and the number that tells apart tiers sharing a name.
 */
final class TierProfiles {
  private TierProfiles() {}

  /**
   * Tiers sharing a code are told apart by a number in their name: "Loyal", "Loyal (2)", "Loyal
   * (3)". A tier kept from the previous model keeps its number; the others take the first free one
   * of 0 (no number), 2, 3, ... in value order. A tier alone with its code has no number unless it
   * was kept with one (its name does not change under it).
   */
  static void suffix(String[] codes, int[] suffixes, boolean[] kept, Integer[] byValue) {
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    for (int c : byValue) {
      groups.computeIfAbsent(codes[c], x -> new ArrayList<>()).add(c);
    }
    for (List<Integer> group : groups.values()) {
      Set<Integer> taken = new HashSet<>();
      List<Integer> open = new ArrayList<>();
      for (int c : group) {
        if (kept[c] && taken.add(suffixes[c])) {
          continue;
        }
        open.add(c);
      }
      for (int c : open) {
        int number = 0;
        while (taken.contains(number)) {
          number = number == 0 ? 2 : number + 1;
        }
        suffixes[c] = number;
        taken.add(number);
      }
    }
  }

  /**
   * Each cluster's typical customer on the sample: the median of each scaled feature over the
   * sample's points nearest to its centre (the centre itself for a cluster without any). A centre
   * is a mean of logs, pulled towards a minority of very recent buyers; the median member is what a
   * marketer pictures, so a cluster of mostly lapsed big spenders is not named by its few recent
   * ones.
   */
  static double[][] typical(double[][] sampled, double[][] centres) {
    TierModel probe = ValueTiers.probe(centres);
    List<List<double[]>> members = new ArrayList<>();
    for (int c = 0; c < centres.length; c++) {
      members.add(new ArrayList<>());
    }
    for (double[] point : sampled) {
      members.get(probe.nearest(point)).add(point);
    }
    double[][] typical = new double[centres.length][];
    for (int c = 0; c < centres.length; c++) {
      List<double[]> points = members.get(c);
      if (points.isEmpty()) {
        typical[c] = centres[c].clone();
        continue;
      }
      typical[c] = new double[3];
      for (int i = 0; i < 3; i++) {
        final int feature = i;
        double[] values = points.stream().mapToDouble(point -> point[feature]).sorted().toArray();
        int n = values.length;
        typical[c][i] = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
      }
    }
    return typical;
  }

  /** Mid-rank percentile of value among the sample's feature i. */
  static double percentile(double[][] sampled, int i, double value) {
    if (sampled.length == 0) {
      return 0.5;
    }
    double below = 0;
    double equal = 0;
    for (double[] point : sampled) {
      if (point[i] < value - 1e-12) {
        below++;
      } else if (point[i] <= value + 1e-12) {
        equal++;
      }
    }
    return (below + equal / 2) / sampled.length;
  }
}
