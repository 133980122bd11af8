package org.rfmtiers.job;

/**
 * What one pipeline stage of a run cost: its wall time, the Spark jobs it started, and its
 * driver-only time (wall time while none of those jobs ran: planning, Delta log replays and
 * commits, collecting results, fits on the driver).
 */
public record StageCost(long millis, int sparkJobs, long driverOnlyMillis) {}
