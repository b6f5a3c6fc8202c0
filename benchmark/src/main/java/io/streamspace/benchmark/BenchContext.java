package io.streamspace.benchmark;

import javax.sql.DataSource;

/**
 * What a workload is given: the running host (its base URL and tokens), the database it runs on
 * (for raw baselines and for seeding what a workload does not measure), the size, and where to
 * report progress.
 *
 * @param baseUrl the host's base URL, e.g. {@code http://127.0.0.1:41234}
 * @param adminToken a bearer token with the admin role
 * @param platformToken a bearer token with the platform role
 * @param dataSource the host's database
 * @param progress one line per phase, shown while the benchmark runs
 * @param host the host itself, for the workloads that need more than HTTP and its database:
 *     {@code start} restarts it, {@code admission} asks its admission service in process, {@code
 *     intake} reads the Kafka journal it runs on; null where a test runs other workloads on a host
 *     of its own
 */
public record BenchContext(
    String baseUrl,
    String adminToken,
    String platformToken,
    DataSource dataSource,
    BenchSize size,
    Progress progress,
    BenchHost host) {

  /** Where a workload says what it is doing. */
  public interface Progress {
    void line(String text);
  }
}
