package io.streamspace.billing.invoicing;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestJournal;
import io.streamspace.plugin.api.config.ConfigProblem;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.http.HttpMethod;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A held meter the config adds, billed end to end as in docs/billing-rules.md ("Held meters"),
 * with no Java of its own: a GPU at 0.90 USD (22,000 VND) a GPU-hour, reported by sessions in
 * their events' {@code resources}, sliced at hours and periods as cpu and memory are, rated into
 * usage records and invoiced as a usage line rounded once. Usage mode, UTC, invoice day 1, one
 * hour of grace, the default rates (0.05 USD a core-hour, 0.01 a GB-hour; 1,250 and 250 VND).
 */
class HeldMeterScenarioTest {

  private static final String MARCH = "2026-03-01T00:00:00Z";
  private static final String APRIL = "2026-04-01T00:00:00Z";

  private static final String GPU =
      """
      {"id": "gpu", "name": "GPU", "unit": "gpu", "kind": "held",
       "prices": {"USD": 0.90, "VND": 22000}}""";

  private static final String CONFIG =
      """
      {"currencyRates": {"VND": {"cpu_per_core_hour": 1250, "memory_per_gb_hour": 250,
         "storage_per_gb_month": 2500}},
       "currencyMeterRates": {"VND": {"bandwidth_gb": 2000, "transcoding_minutes": 500,
         "ai_queries": 25}},
       "meters": [{"id": "cpu_cores"}, {"id": "memory_gb"}, {"id": "active_sessions"},
                  {"id": "storage_gb"}, {"id": "bandwidth_gb"}, {"id": "transcoding_minutes"},
                  {"id": "ai_queries", "kind": "counter"}, %s]}""";

  private static final String WITH_GPU = CONFIG.formatted(GPU);

  private static final String WITHOUT_GPU =
      CONFIG.formatted(
          """
          {"id": "gpu_minutes", "name": "GPU minutes", "unit": "minute", "kind": "counter",
           "aggregation": "sum", "prices": {"USD": 0.02, "VND": 500}}""");

  private BillingHarness billing;

  @AfterEach
  void unload() {
    billing.close();
  }

  private static ResourceSize size(String cpu, String memory, String gpus) {
    return new ResourceSize(
        new BigDecimal(cpu),
        new BigDecimal(memory),
        BigDecimal.ZERO,
        gpus == null ? Map.of() : Map.of("gpu", new BigDecimal(gpus)));
  }

  /**
   * A user's sessions as events with ids of their own ({@code <user>-…}): s1 from March 10 10:00
   * with 1 core, 2 GB and 1 GPU, resized to 2 GPUs at {@code resizeAt} by a heartbeat, a
   * heartbeat at 11:00 naming no GPU (unchanged), ended at 12:00; s2 with 1 GPU alone from March
   * 31 23:15 across the period boundary to April 1 01:45.
   */
  private static List<SessionEvent> sessions(String user, String resizeAt) {
    String s1 = user + "-s1";
    String s2 = user + "-s2";
    return List.of(
        event(user + "-1", "2026-03-10T10:00:00Z", s1, user, size("1", "2", "1")),
        event(user + "-2", "2026-03-10T" + resizeAt + ":00Z", s1, user, size("1", "2", "2")),
        event(user + "-3", "2026-03-10T11:00:00Z", s1, user, size("1", "2", null)),
        event(user + "-4", "2026-03-10T12:00:00Z", s1, user, null),
        event(user + "-5", "2026-03-31T23:15:00Z", s2, user, size("0", "0", "1")),
        event(user + "-6", "2026-04-01T01:45:00Z", s2, user, null));
  }

  private static SessionEvent event(
      String id, String at, String session, String user, ResourceSize size) {
    return new SessionEvent(id, at(at), session, user, size, null);
  }

  private final TestJournal journal = new TestJournal();

  private void deliver(SessionEvent event) {
    journal.add(event.id(), "session.event", event.occurredAt(), event.sessionId());
    switch (event.id().charAt(event.id().length() - 1)) {
      case '1', '5' -> billing.billing.onSessionCreated(billing.context, event);
      case '4', '6' -> billing.billing.onSessionTerminated(billing.context, event);
      default -> billing.billing.onSessionHeartbeat(billing.context, event);
    }
  }

  private List<List<Object>> gpuRecords(String user) {
    return rows(
        """
        SELECT session_id, to_char(slice_start AT TIME ZONE 'UTC', 'MM-DD HH24:MI'),
               to_char(slice_end AT TIME ZONE 'UTC', 'HH24:MI'), trim_scale(unit_seconds)::text, unit,
               unit_price::text, currency
        FROM billing_usage_records WHERE user_id = ? AND resource_type = 'gpu'
        ORDER BY slice_start, session_id""",
        user);
  }

  /**
   * ada (USD): s1 holds 1 GPU 10:00–10:30 and 2 GPUs 10:30–12:00: 1 × 1,800 + 2 × 5,400 = 12,600
   * GPU-seconds, its 10:00 slice 1,800 + 3,600 = 5,400 and its 11:00 slice 7,200; s2 holds 1 GPU
   * from 23:15, 2,700 GPU-seconds in March. March: 15,300 GPU-seconds = 4.25 GPU-hours × 0.90 =
   * 3.825 → 3.83 (half up, once for the line);
   * cpu 1 × 2 h = 2 core-hours × 0.05 = 0.10, memory 2 × 2 h = 4 GB-hours × 0.01 = 0.04; total
   * 3.97. April: s2 00:00–01:45, 1.75 GPU-hours × 0.90 = 1.575 → 1.58.
   *
   * <p>thu (VND), resized at 10:20: 1 × 1,200 + 2 × 6,000 = 13,200 GPU-seconds, plus 2,700 of
   * s2: 15,900 = 4.416667 GPU-hours × 22,000 = 97,166.67 → 97,167 VND; cpu 2 × 1,250 = 2,500;
   * memory 4 × 250 = 1,000; total 100,667.
   *
   * <p>eve gets ada's events in reverse order, in three flushes: the same records and lines.
   */
  @Test
  void aGpuMeterIsBilledPerGpuHour_slicedAndRoundedOnce_inUsdAndVnd_whateverTheOrder() {
    billing = new BillingHarness(at(MARCH), WITH_GPU);
    billing.userCreated("ada", Map.of());
    billing.userCreated("thu", Map.of("currency", "VND"));
    billing.userCreated("eve", Map.of());
    sessions("ada", "10:30").forEach(this::deliver);
    sessions("thu", "10:20").forEach(this::deliver);
    List<SessionEvent> reversed = new ArrayList<>(sessions("eve", "10:30"));
    Collections.reverse(reversed);
    reversed.subList(0, 2).forEach(this::deliver);
    billing.flush();
    reversed.subList(2, 4).forEach(this::deliver);
    billing.flush();
    reversed.subList(4, 6).forEach(this::deliver);

    billing.calculateUsageAt("2026-04-01T03:00:00Z");

    assertEquals(
        List.of(
            List.of("ada-s1", "03-10 10:00", "11:00", "5400", "gpu-hours", "0.9", "USD"),
            List.of("ada-s1", "03-10 11:00", "12:00", "7200", "gpu-hours", "0.9", "USD"),
            List.of("ada-s2", "03-31 23:15", "00:00", "2700", "gpu-hours", "0.9", "USD"),
            List.of("ada-s2", "04-01 00:00", "01:00", "3600", "gpu-hours", "0.9", "USD"),
            List.of("ada-s2", "04-01 01:00", "01:45", "2700", "gpu-hours", "0.9", "USD")),
        gpuRecords("ada"));
    List<List<Object>> adas = rows("SELECT count(*) FROM billing_usage_records");
    billing.calculateUsageAt("2026-04-01T03:00:00Z");
    assertEquals(adas, rows("SELECT count(*) FROM billing_usage_records"), "a re-run adds none");

    billing.runAt(GENERATE_INVOICES, "2026-04-01T03:00:00Z");

    List<String> march =
        List.of(
            "usage cpu usage cpu 2 core-hours 0.05 0.10",
            "usage memory usage memory 4 gb-hours 0.01 0.04",
            "usage gpu usage gpu 4.25 gpu-hours 0.9 3.83");
    assertEquals(march, lines(invoiceId("ada", MARCH)));
    assertEquals(march, lines(invoiceId("eve", MARCH)), "eve's events in another order");
    assertEquals(
        List.of(
            "usage cpu usage cpu 2 core-hours 1250 2500",
            "usage memory usage memory 4 gb-hours 250 1000",
            "usage gpu usage gpu 4.416667 gpu-hours 22000 97167"),
        lines(invoiceId("thu", MARCH)));
    assertEquals(
        List.of(List.of("3.97"), List.of("3.97"), List.of("100667")),
        rows(
            """
            SELECT total::text FROM billing_invoices WHERE period_start = ?::timestamptz
            ORDER BY user_id""",
            MARCH));

    billing.calculateUsageAt("2026-05-01T01:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-05-01T01:00:00Z");
    assertEquals(
        List.of("usage gpu usage gpu 1.75 gpu-hours 0.9 1.58"), lines(invoiceId("ada", APRIL)));
  }

  /**
   * /usage lists the GPU beside cpu and memory, the invoice's CSV and PDF show its line, and
   * explain traces the line to its records and the events that sized them.
   */
  @Test
  void usageListsTheGpu_andExplainTracesItsLineToItsRecordsAndEvents() throws IOException {
    billing = new BillingHarness(at(MARCH), WITH_GPU);
    billing.context.setJournal(journal);
    billing.userCreated("ada", Map.of());
    sessions("ada", "10:30").subList(0, 4).forEach(this::deliver);
    billing.calculateUsageAt("2026-03-10T13:00:00Z");

    JsonNode usage = billing.call(HttpMethod.GET, "/usage", user("ada")).body();
    JsonNode gpu = usage.get("lines").get(1);
    assertEquals("gpu", gpu.get("resource_type").asText(), usage.toString());
    assertEquals("3.5", gpu.get("quantity").decimalValue().toPlainString());
    assertEquals("gpu-hours", gpu.get("unit").asText());
    assertEquals("3.15", gpu.get("total_cost").decimalValue().toPlainString());

    billing.calculateUsageAt("2026-04-01T03:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T03:00:00Z");
    long march = invoiceId("ada", MARCH);
    assertEquals("usage gpu usage gpu 3.5 gpu-hours 0.9 3.15", lines(march).get(2));

    String csv = billing.text("/invoices/" + march + "/csv", user("ada")).body();
    assertTrue(csv.contains("gpu") && csv.contains("gpu-hours") && csv.contains("3.15"), csv);
    String pdf = pdfText(march);
    assertTrue(pdf.contains("gpu-hours") && pdf.contains("3.15"), pdf);

    JsonNode explained =
        billing.call(HttpMethod.GET, "/invoices/" + march + "/lines/3/explain", user("ada")).body();
    assertEquals("gpu", explained.at("/line/resource_type").asText(), explained.toString());
    assertEquals(2, explained.get("record_count").asInt());
    assertEquals("3.15", explained.at("/sums/total").decimalValue().toPlainString());
    assertTrue(explained.at("/sums/matches_line").asBoolean());
    assertEquals("5400", explained.at("/records/0/unit_seconds").decimalValue().toPlainString());
    assertEquals("ada-1", explained.at("/records/0/events/0/id").asText());
  }

  private static final String HYBRID =
      WITH_GPU.replaceFirst(
          "}$",
          """
          , "billingMode": "hybrid", "capacityPacks": [], "defaultPlan": "studio",
           "subscriptionPlans": [
             {"id": "studio", "name": "Studio", "price": 20, "interval": "month",
              "prices": {"VND": 500000}, "limits": {"gpu": {"limit": 1}}},
             {"id": "render", "name": "Render", "price": 40, "interval": "month",
              "prices": {"VND": 1000000}, "limits": {"gpu": {"limit": 2}}}]}""");

  /**
   * Hybrid mode, plan Studio (20.00 USD, 500,000 VND a month) including 1 GPU, soft as hybrid
   * limits are by default: each clock hour's GPU-seconds above 1 × its seconds are billed as
   * overage at the GPU price, as cpu's are above the plan's cores.
   *
   * <p>ada (USD): 10:00–11:00 5,400 − 3,600 = 1,800; 11:00–12:00 7,200 − 3,600 = 3,600; s2's
   * 23:15–24:00 2,700, within the 2,700 included of that part of an hour. Overage 5,400
   * GPU-seconds = 1.5 GPU-hours × 0.90 = 1.35; with the fee, 21.35. April: s2's 1 GPU is within
   * the plan, only the fee.
   *
   * <p>thu (VND), resized at 10:20: 10:00 6,000 − 3,600 = 2,400; 11:00 3,600: 6,000 GPU-seconds =
   * 1.666667 GPU-hours × 22,000 = 36,666.67 → 36,667; with the fee, 536,667.
   *
   * <p>eve moves to Render (2 GPUs, 40.00) at 11:00 on March 10: 10:00 is Studio's, 1,800 over;
   * 11:00 is Render's, 7,200 included. Overage 0.5 GPU-hours × 0.90 = 0.45. Fees: Studio for 9
   * days 11 hours (817,200 of March's 2,678,400 seconds) × 20 = 6.1022 → 6.10, Render for the
   * rest × 40 = 27.7957 → 27.80; total 34.35. The plan term keeps what it includes: Studio
   * including half a GPU from April on would bill April's s2 an overage; ada's term, begun with
   * 1, does not. The admin's usage report shows all GPU time rated; the dashboard's revenue by
   * resource, the GPU overage invoiced.
   */
  @Test
  void inHybridModeGpusBeyondThePlansSoftLimitAreBilledAsOverage_hourByHour() {
    billing = new BillingHarness(at(MARCH), HYBRID);
    billing.userCreated("ada", Map.of());
    billing.userCreated("thu", Map.of("currency", "VND"));
    billing.userCreated("eve", Map.of());
    sessions("ada", "10:30").forEach(this::deliver);
    sessions("thu", "10:20").forEach(this::deliver);
    sessions("eve", "10:30").forEach(this::deliver);
    billing.flush();
    billing.clock.set(at("2026-03-10T11:00:00Z"));
    assertEquals(
        200,
        billing
            .call(HttpMethod.PUT, "/subscription", user("eve"), "{\"plan_id\": \"render\"}")
            .status());
    assertEquals(
        List.of(List.of("ada", "{\"gpu\": 1}"), List.of("eve", "{\"gpu\": 2}")),
        rows(
            """
            SELECT user_id, held_limits::text FROM billing_subscriptions
            WHERE ended_at IS NULL AND user_id IN ('ada', 'eve') ORDER BY user_id"""),
        "each term keeps what its plan includes of the GPU");

    billing.calculateUsageAt("2026-04-01T03:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T03:00:00Z");

    assertEquals(
        List.of(
            "plan_fee Studio, 2026-03-01 – 2026-04-01 null null null 20 20.00",
            "overage gpu overage gpu 1.5 gpu-hours 0.9 1.35"),
        lines(invoiceId("ada", MARCH)));
    assertEquals(
        List.of(
            "plan_fee Studio, 2026-03-01 – 2026-04-01 null null null 500000 500000",
            "overage gpu overage gpu 1.666667 gpu-hours 22000 36667"),
        lines(invoiceId("thu", MARCH)));
    assertEquals(
        List.of(
            "plan_fee Studio, 2026-03-01 – 2026-03-10 null null null 20 6.10",
            "plan_fee Render, 2026-03-10 – 2026-04-01 null null null 40 27.80",
            "overage gpu overage gpu 0.5 gpu-hours 0.9 0.45"),
        lines(invoiceId("eve", MARCH)));
    assertEquals(
        List.of(List.of("ada", "21.35"), List.of("eve", "34.35"), List.of("thu", "536667")),
        rows(
            """
            SELECT user_id, total::text FROM billing_invoices
            WHERE period_start = ?::timestamptz ORDER BY user_id""",
            MARCH));

    List<String> gpuReport = new ArrayList<>();
    for (JsonNode row :
        billing
            .call(
                HttpMethod.GET,
                "/admin/reports?from=2026-03-01&to=2026-04-01&group_by=resource",
                admin("root"))
            .body()
            .get("rows")) {
      if (row.get("resource_type").asText().equals("gpu")) {
        gpuReport.add(row.get("currency").asText() + " " + row.get("cost").decimalValue());
      }
    }
    assertEquals(
        List.of("USD 7.65", "VND 97167"),
        gpuReport,
        "the usage report: all GPU time rated (ada's and eve's 8.5 GPU-hours; thu's 4.416667)");
    JsonNode dashboard = billing.call(HttpMethod.GET, "/admin/dashboard", admin("root")).body();
    List<String> gpuRevenue = new ArrayList<>();
    for (JsonNode row : dashboard.get("revenue_by_resource")) {
      if (row.get("resource_type").asText().equals("gpu")) {
        gpuRevenue.add(row.get("currency").asText() + " " + row.get("amount").decimalValue());
      }
    }
    assertEquals(
        List.of("USD 1.80", "VND 36667"),
        gpuRevenue,
        "the dashboard's revenue: the GPU overage invoiced (1.35 + 0.45; 36,667)");

    JsonNode explained =
        billing
            .call(
                HttpMethod.GET,
                "/invoices/" + invoiceId("ada", MARCH) + "/lines/2/explain",
                user("ada"))
            .body();
    assertTrue(explained.at("/sums/matches_line").asBoolean(), explained.toString());
    assertEquals("1.35", explained.at("/sums/total").decimalValue().toPlainString());

    assertEquals(
        List.of("ada 21.35 22.70 1.35", "eve 34.35 34.80 0.45", "thu 536667 536667 0"),
        whatIf("\"meters\": {\"gpu\": {\"prices\": {\"USD\": 1.80}}}"),
        "a dearer GPU in USD: each USD organization's GPU overage twice as dear");
    assertEquals(
        List.of("ada 21.35 20.00 -1.35", "eve 34.35 33.90 -0.45", "thu 536667 500000 -36667"),
        whatIf("\"plans\": {\"studio\": {\"limits\": {\"gpu\": {\"limit\": 2}}}}"),
        "Studio including 2 GPUs: no overage left on Studio's hours");
    BillingHarness.Answer refused =
        billing.call(
            HttpMethod.POST,
            "/admin/what-if",
            admin("root"),
            "{\"period_start\": \"2026-03-01\", \"period_end\": \"2026-04-01\","
                + " \"meters\": {\"gpu\": {\"prices\": {\"USD\": -1}}}}");
    assertEquals(400, refused.status(), refused.toString());
    assertEquals("meters.gpu.prices.USD", refused.errorField(), refused.toString());

    billing.context.setConfigJson(HYBRID.replace("\"limit\": 1}", "\"limit\": 0.5}"));
    billing.billing.onConfigChanged(billing.context);
    billing.calculateUsageAt("2026-05-01T01:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-05-01T01:00:00Z");
    assertEquals(
        List.of("plan_fee Studio, 2026-04-01 – 2026-05-01 null null null 20 20.00"),
        lines(invoiceId("ada", APRIL)),
        "April: the GPU within the term's 1, whatever the config says now");
  }

  /**
   * /quota counts what the open sessions hold now, against the plan's 1 GPU: ada's s1 holds 1 (at
   * the limit, exceeded as every meter at its limit is), then 2 from 10:30 (200 %, in the admin's
   * list too); check-quotas alerts the warning and the exceedance once; the session ended, the
   * GPUs count no more.
   */
  @Test
  void theQuotaCountsTheGpusOpenSessionsHold_andCheckQuotasAlertsOnThem() {
    billing = new BillingHarness(at("2026-03-10T10:05:00Z"), HYBRID);
    billing.userCreated("ada", Map.of());
    List<SessionEvent> events = sessions("ada", "10:30");
    deliver(events.get(0));
    billing.flush();
    assertEquals("1 1 exceeded", gpuQuota(), "at the limit");

    billing.clock.set(at("2026-03-10T10:35:00Z"));
    deliver(events.get(1));
    billing.flush();
    assertEquals("2 1 exceeded", gpuQuota());
    JsonNode over = billing.call(HttpMethod.GET, "/admin/quotas?meter=gpu", admin("root")).body();
    assertEquals(
        "ada gpu 2 200.00 exceeded",
        String.join(
            " ",
            over.at("/quotas/0/user_id").asText(),
            over.at("/quotas/0/meter").asText(),
            over.at("/quotas/0/used").decimalValue().toPlainString(),
            over.at("/quotas/0/percent").decimalValue().toPlainString(),
            over.at("/quotas/0/state").asText()),
        "the admin's list, judged in SQL, agrees: " + over);
    billing.runAt("check-quotas", "2026-03-10T10:35:00Z");
    billing.runAt("check-quotas", "2026-03-10T10:40:00Z");
    assertEquals(
        List.of("billing.quota.warning", "billing.quota.exceeded"),
        billing.context.published().stream()
            .filter(e -> e.contains("\"meter\":\"gpu\""))
            .map(e -> e.substring(0, e.indexOf(' ')))
            .toList());

    billing.clock.set(at("2026-03-10T12:05:00Z"));
    deliver(events.get(2));
    deliver(events.get(3));
    billing.flush();
    assertEquals("0 1 ok", gpuQuota());
  }

  /** ada's GPU on /quota as "used limit state". */
  private String gpuQuota() {
    JsonNode quota = billing.call(HttpMethod.GET, "/quota", user("ada")).body();
    for (JsonNode meter : quota.get("meters")) {
      if (meter.get("meter").asText().equals("gpu")) {
        return String.join(
            " ",
            meter.get("used").decimalValue().toPlainString(),
            meter.get("limit").decimalValue().toPlainString(),
            meter.get("state").asText());
      }
    }
    throw new AssertionError("no gpu on /quota: " + quota);
  }

  /** A what-if of March with {@code changes}, each organization as "org invoiced what-if delta". */
  private List<String> whatIf(String changes) {
    BillingHarness.Answer answer =
        billing.call(
            HttpMethod.POST,
            "/admin/what-if",
            admin("root"),
            "{\"period_start\": \"2026-03-01\", \"period_end\": \"2026-04-01\", " + changes + "}");
    assertEquals(200, answer.status(), answer.toString());
    List<String> accounts = new ArrayList<>();
    for (JsonNode a : answer.body().get("accounts")) {
      accounts.add(
          String.join(
              " ",
              a.get("org_id").asText(),
              a.get("invoiced_total").decimalValue().toPlainString(),
              a.get("what_if_total").decimalValue().toPlainString(),
              a.get("delta").decimalValue().toPlainString()));
    }
    return accounts;
  }

  private String pdfText(long invoiceId) throws IOException {
    byte[] pdf =
        billing
            .context
            .routes()
            .call(HttpMethod.GET, "/invoices/" + invoiceId + "/pdf", user("ada"))
            .body();
    try (PDDocument document = Loader.loadPDF(pdf)) {
      return new PDFTextStripper().getText(document);
    }
  }

  /**
   * The GPU cannot leave the config while a session's GPU time is not invoiced; once March's
   * invoice is finalized it can. A held meter is priced in every supported currency, takes no
   * built-in resource's id and no aggregation; a plan may limit it, and while one does it cannot
   * leave the config.
   */
  @Test
  void aHeldMeterWithUnbilledUsageCannotBeRemoved_andItsConfigIsChecked() {
    billing = new BillingHarness(at(MARCH), WITH_GPU);
    billing.userCreated("ada", Map.of());
    sessions("ada", "10:30").subList(0, 4).forEach(this::deliver);
    billing.flush();

    assertEquals(
        List.of(
            new ConfigProblem(
                "meters",
                "must list gpu: it has usage not billed yet (amounts held by sessions since"
                    + " their account's last finalized invoice); remove it once that is"
                    + " invoiced")),
        billing.billing.validateConfig(WITHOUT_GPU));

    billing.calculateUsageAt("2026-04-01T03:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T03:00:00Z");
    assertEquals(List.of(), billing.billing.validateConfig(WITHOUT_GPU));

    assertEquals(
        List.of(
            new ConfigProblem(
                "meters[7].prices.VND",
                "is required: every held meter needs a price in every supported currency")),
        billing.billing.validateConfig(WITH_GPU.replace(", \"VND\": 22000", "")));
    assertEquals(
        "meters[7].id",
        billing
            .billing
            .validateConfig(WITH_GPU.replace("\"id\": \"gpu\"", "\"id\": \"cpu\""))
            .get(0)
            .key());
    assertEquals(
        "meters[7].aggregation",
        billing
            .billing
            .validateConfig(WITH_GPU.replace("\"held\",", "\"held\", \"aggregation\": \"sum\","))
            .get(0)
            .key());
    String limited =
        WITH_GPU.replaceFirst(
            "}$",
            """
            , "subscriptionPlans": [{"id": "gpu", "name": "GPU", "price": 0, "interval": "month",
               "prices": {"VND": 0}, "limits": {"gpu": {"limit": 1, "kind": "hard"}}}],
             "defaultPlan": "gpu", "capacityPacks": []}""");
    assertEquals(List.of(), billing.billing.validateConfig(limited), "a plan limits GPUs");
    assertEquals(
        List.of("subscriptionPlans[0].limits.gpu"),
        billing.billing.validateConfig(limited.replace(", " + GPU, "")).stream()
            .map(ConfigProblem::key)
            .toList(),
        "a held meter a plan limits cannot be removed");
    assertEquals(
        "meters[7].kind",
        billing.billing.validateConfig(WITH_GPU.replace("\"held\"", "\"rented\"")).get(0).key());
  }
}
