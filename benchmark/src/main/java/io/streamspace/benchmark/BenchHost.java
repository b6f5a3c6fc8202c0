package io.streamspace.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.intake.AdmissionService;
import javax.sql.DataSource;

/**
 * The host a benchmark runs on, for the workloads that need more than HTTP: the one that times a
 * restart, the one that asks the admission check in process, as the host's route does, and the
 * one that runs the plugin's forecast backtest.
 */
public interface BenchHost {

  /** The running host's base URL; the same after {@link #restart()}. */
  String baseUrl();

  /** A bearer token with the admin role. */
  String adminToken();

  /** A bearer token with the platform role. */
  String platformToken();

  /** The running host's database pool: a new one after {@link #restart()}. */
  DataSource dataSource();

  /**
   * Stops the host and starts another on the same data folder (its embedded PostgreSQL too) and
   * port; returns once the new host says it started.
   */
  void restart();

  /** The Kafka journal the host runs on ({@code --journal kafka}), or null on PostgreSQL's. */
  BenchKafka kafkaJournal();

  /** {@code POST /api/platform/admission}'s decision for this body, without HTTP. */
  AdmissionService.Answer admit(JsonNode request);

  /**
   * The class loader of the started plugin {@code pluginId}: the packaged plugin's own classes,
   * for a workload that runs a pure part of them as the host loaded them (the forecast's
   * backtest).
   *
   * @throws IllegalStateException when that plugin is not started
   */
  ClassLoader pluginClassLoader(String pluginId);
}
