package io.streamspace.host.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.HostOptions;
import io.streamspace.host.plugins.JournalLag;
import io.streamspace.host.support.HostClient.Response;
import io.streamspace.host.support.HostTestBase;
import io.streamspace.host.support.LogCapture;
import io.streamspace.host.support.RecordingPlugin;
import io.streamspace.plugin.api.PlatformPlugin;
import io.streamspace.plugin.api.PluginContext;
import io.streamspace.plugin.api.session.AdmissionCheck;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics}: who may read it, and the host's meters moving as the host works. */
class MetricsTest extends HostTestBase {

  private static final String SCRAPE_TOKEN = "scrape-token-0123456789abcdefghijklmn";

  private static final String CREATED =
      "{\"id\":\"%s\",\"type\":\"session.created\",\"occurred_at\":\"2025-06-01T10:00:00Z\","
          + "\"session\":{\"session_id\":\"%s\",\"user_id\":\"u1\",\"cpu_cores\":1,"
          + "\"memory_gb\":1,\"storage_gb\":1}}";

  /** Denies admission to the user {@code broke}, counting each check in its own metrics. */
  static final class DenyingPlugin implements PlatformPlugin, AdmissionCheck {
    private volatile PluginContext context;

    @Override
    public void onLoad(PluginContext context) {
      this.context = context;
    }

    @Override
    public AdmissionDecision admit(AdmissionRequest request) {
      context.metrics().counter("admissions.checked").increment();
      return request.userId().equals("broke")
          ? AdmissionDecision.deny("insufficient_funds", "no money left")
          : AdmissionDecision.allow();
    }
  }

  private String platform;

  @Override
  protected Map<String, String> secrets() {
    return Map.of("BILLING_ADMIN_TOKEN", ADMIN_TOKEN, MetricsRoutes.TOKEN_ENV, SCRAPE_TOKEN);
  }

  @Override
  protected HostOptions.Builder nodeOptions(RecordingPlugin recording) {
    return super.nodeOptions(recording).plugin("deny", new DenyingPlugin());
  }

  @BeforeAll
  void platformToken() {
    platform = token("platform-1", "platform");
  }

  private String scrape() {
    Response response = http.get("/metrics", ADMIN_TOKEN);
    assertEquals(200, response.status(), response.toString());
    return response.body().asText();
  }

  /** The value of one sample, {@code name{labels}}, exactly as written; 0 when absent. */
  private static double sample(String scraped, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scraped);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void metricsNeedTheAdminOrTheScrapeToken_401WithoutAToken_403ForAUser() {
    assertEquals(401, http.get("/metrics", null).status());
    assertEquals(401, http.get("/metrics", "not-a-token").status());
    assertEquals(403, http.get("/metrics", token("u1", "user")).status());
    assertEquals(403, http.get("/metrics", platform).status());

    Response admin = http.get("/metrics", ADMIN_TOKEN);
    assertEquals(200, admin.status());
    assertEquals(MetricsRoutes.CONTENT_TYPE, admin.header("Content-Type").orElseThrow());
    Response scraper = http.get("/metrics", SCRAPE_TOKEN);
    assertEquals(200, scraper.status());
    assertTrue(scraper.body().asText().contains("# TYPE jvm_memory_used_bytes gauge"));
  }

  @Test
  void theScrapeTokenIsNeverLogged() {
    var lines =
        LogCapture.during(
            () -> {
              http.get("/metrics", SCRAPE_TOKEN);
              http.get("/metrics", SCRAPE_TOKEN + "x");
            });
    assertTrue(lines.stream().noneMatch(line -> line.contains(SCRAPE_TOKEN)), lines.toString());
  }

  @Test
  void aBatchCountsItsEventsByOutcome_theBatch_andALatencySample() {
    String before = scrape();
    String batch =
        "["
            + CREATED.formatted("m-1", "ms1")
            + ","
            + CREATED.formatted("m-2", "ms2")
            + ","
            + CREATED.formatted("m-3", "ms3")
            + ","
            + CREATED.formatted("m-1", "ms1")
            + "]";
    http.post("/api/platform/events", platform, batch).expect(202);
    http.post("/api/platform/events", platform, CREATED.formatted("m-2", "other")).expect(202);
    assertEquals(400, http.post("/api/platform/events", platform, "{\"id\":").status());

    String after = scrape();
    assertEquals(3, delta(before, after, "streamspace_intake_events_total{outcome=\"accepted\"}"));
    assertEquals(1, delta(before, after, "streamspace_intake_events_total{outcome=\"duplicate\"}"));
    assertEquals(1, delta(before, after, "streamspace_intake_events_total{outcome=\"conflict\"}"));
    assertEquals(2, delta(before, after, "streamspace_intake_batches_total{outcome=\"accepted\"}"));
    assertEquals(1, delta(before, after, "streamspace_intake_batches_total{outcome=\"rejected\"}"));
    assertEquals(3, delta(before, after, "streamspace_intake_duration_seconds_count"));
    assertTrue(after.contains("streamspace_intake_duration_seconds_bucket{le="), after);
  }

  @Test
  void admissionDecisionsAreCountedByDecisionAndCode_andTimed() {
    String before = scrape();
    String ask = "{\"user_id\":\"%s\",\"cpu_cores\":1,\"memory_gb\":1,\"storage_gb\":1}";
    http.post("/api/platform/admission", platform, ask.formatted("rich")).expect(200);
    http.post("/api/platform/admission", platform, ask.formatted("rich")).expect(200);
    http.post("/api/platform/admission", platform, ask.formatted("broke")).expect(200);

    String after = scrape();
    String allowed = "streamspace_admission_decisions_total{code=\"\",decision=\"allowed\"}";
    String denied =
        "streamspace_admission_decisions_total{code=\"insufficient_funds\",decision=\"denied\"}";
    assertEquals(2, delta(before, after, allowed));
    assertEquals(1, delta(before, after, denied));
    assertEquals(3, delta(before, after, "streamspace_admission_duration_seconds_count"));
    assertEquals(
        3,
        delta(before, after, "streamspace_plugin_deny_admissions_checked_total"),
        "the plugin's own counter, under its prefix");
  }

  @Test
  void aJobRunIsCountedByPluginJobAndOutcome() throws Exception {
    String before = scrape();
    plugin.context.scheduler().runNow("count").toCompletableFuture().get(30, TimeUnit.SECONDS);
    plugin.context.scheduler().runNow("fail").toCompletableFuture().get(30, TimeUnit.SECONDS);

    String after = scrape();
    String runs = "streamspace_job_runs_seconds_count{job=\"%s\",outcome=\"%s\",plugin=\"rec\"}";
    assertEquals(1, delta(before, after, runs.formatted("count", "succeeded")));
    assertEquals(1, delta(before, after, runs.formatted("fail", "failed")));
  }

  @Test
  void theConnectionPoolTheJvmAndTheJournalLagAreShown() {
    String scraped = scrape();
    for (String gauge :
        new String[] {
          "hikaricp_connections_active{pool=",
          "hikaricp_connections_max{pool=",
          "jvm_memory_used_bytes{",
          "jvm_threads_live_threads ",
          "jvm_gc_",
          "streamspace_journal_lag_events{plugin=\"rec\"}",
        }) {
      assertTrue(scraped.contains(gauge), gauge + " in:\n" + scraped);
    }
  }

  @Test
  void onTheKafkaJournalTheIndexsLagIsShownInAllAndPerPartition_onPostgresNot() {
    assertFalse(scrape().contains("streamspace_journal_index"), "this host journals in PostgreSQL");
    try (HostMetrics metrics = new HostMetrics()) {
      metrics.journalIndexLag(
          () ->
              Optional.of(
                  new JournalLag(
                      5,
                      0,
                      "node-1",
                      List.of(
                          new JournalLag.PartitionLag(0, 4, "node-1"),
                          new JournalLag.PartitionLag(1, 1, "node-1")))));

      String scraped = metrics.scrape();

      assertEquals(5, sample(scraped, "streamspace_journal_index_lag_events"), scraped);
      assertEquals(
          4,
          sample(scraped, "streamspace_journal_index_partition_lag_events{partition=\"0\"}"),
          scraped);
      assertEquals(
          1,
          sample(scraped, "streamspace_journal_index_partition_lag_events{partition=\"1\"}"),
          scraped);
    }
  }

  private static double delta(String before, String after, String series) {
    return sample(after, series) - sample(before, series);
  }
}
