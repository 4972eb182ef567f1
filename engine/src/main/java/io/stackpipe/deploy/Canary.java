package io.stackpipe.deploy;

import io.stackpipe.StackpipeException;

/**
 * How big a canary is: a share of the traffic ({@code 10%}) or a number of pods ({@code 2}). The canary's pods join
 * the stable Service's endpoints, so with {@code s} stable pods and {@code c} canary pods it takes about
 * {@code c / (s + c)} of the requests; a share becomes the pod count that comes closest to it (at least one).
 */
public record Canary(Integer percent, Integer replicas) {

  public static Canary parse(String text) {
    try {
      if (text.endsWith("%")) {
        int percent = Integer.parseInt(text.substring(0, text.length() - 1));
        if (percent >= 1 && percent <= 99) {
          return new Canary(percent, null);
        }
      } else {
        int replicas = Integer.parseInt(text);
        if (replicas >= 1) {
          return new Canary(null, replicas);
        }
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw StackpipeException.ofField("canary", "'" + text + "' is not a share (1%..99%) or a pod count (1 or more)");
  }

  /** Canary pods beside {@code stable} stable pods. */
  int replicasBeside(int stable) {
    if (replicas != null) {
      return replicas;
    }
    return Math.max(1, (int) Math.round(percent * stable / (100.0 - percent)));
  }

  @Override
  public String toString() {
    return percent != null ? percent + "%" : replicas + " pods";
  }
}
