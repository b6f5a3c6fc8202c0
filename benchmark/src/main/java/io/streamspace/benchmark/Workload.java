package io.streamspace.benchmark;

import java.util.List;

/**
 * One workload of the benchmark command: it seeds what it needs, measures a real path of the host
 * and its plugin (HTTP, the scheduler's jobs, admission) and a raw PostgreSQL baseline on the same
 * rows in the same run, checks its own results (a workload that did less than asked fails), and
 * answers one or more rows of the table.
 */
public interface Workload {

  /** The name the table and {@code --only} use, e.g. {@code intake}. */
  String name();

  /**
   * Runs the workload.
   *
   * @throws Exception when it cannot run, or its own check of what it did fails
   */
  List<BenchRow> run(BenchContext context) throws Exception;
}
