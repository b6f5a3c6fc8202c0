package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A what-if over HTTP with the packaged plugin: events in through the platform intake, the jobs
 * run through the host's scheduler past the invoice day and its grace, then an admin asks what
 * March would have cost with cpu at 0.10 instead of 0.05. Defaults: USD, UTC, the usage billing
 * mode, 0.01 per GB-hour. ann runs 2 cores and 4 GB from 02:00 to 12:00 on March 10: 20
 * core-hours × 0.05 = 1.00 and 40 GB-hours × 0.01 = 0.40, invoiced 1.40; at 0.10 a core-hour
 * 2.00 + 0.40 = 2.40, 1.00 more. bob uses nothing.
 */
class WhatIfE2ETest extends BillingHostTestBase {

  private static final String PATH = "/api/plugins/billing/admin/what-if";

  @Test
  void anAdminAsksWhatMarchWouldHaveCostWithDearerCpuAndAUserIsRefused() {
    String ann = newUser("ann");
    String bob = newUser("bob");
    Instant march = Instant.parse("2026-03-01T00:00:00Z");
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(ann, march),
            Events.userCreated(bob, march),
            Events.sessionCreated("s-" + ann, ann, at("02:00"), "2", "4", "0"),
            Events.sessionTerminated("s-" + ann, ann, at("12:00"))));
    clock.set(Instant.parse("2026-04-01T01:00:00Z"));
    api.runJob("calculate-usage");
    api.runJob("generate-invoices");
    String body =
        HostClient.json(
            Map.of(
                "period_start",
                "2026-03-01",
                "period_end",
                "2026-04-01",
                "rates",
                Map.of("cpu_per_core_hour", 0.10)));

    JsonNode answer = api.http.post(PATH, api.adminToken, body).expect(200);
    HostClient.Response csv = api.http.post(PATH + "?format=csv", api.adminToken, body);

    JsonNode accounts = answer.get("accounts");
    assertEquals(2, accounts.size(), answer.toString());
    JsonNode annRow = ann.compareTo(bob) < 0 ? accounts.get(0) : accounts.get(1);
    assertEquals(ann, annRow.get("org_id").asText());
    assertEquals(
        List.of("1.40", "2.40", "1.00"),
        List.of(
            annRow.get("invoiced_total").decimalValue().toPlainString(),
            annRow.get("what_if_total").decimalValue().toPlainString(),
            annRow.get("delta").decimalValue().toPlainString()));
    assertEquals("1.00", answer.at("/totals/0/delta").decimalValue().toPlainString());
    assertEquals(1, answer.at("/distribution/more").asInt());
    assertEquals(1, answer.at("/distribution/same").asInt());
    assertEquals(200, csv.status(), csv.body().toString());
    assertEquals(
        "attachment; filename=\"what-if-2026-03-01.csv\"",
        csv.header("Content-Disposition").orElse(""));
    assertFalse(csv.header("Content-Length").isPresent(), "streamed, no length");
    assertEquals(
        "account," + ann + ",USD,1.40,2.40,1.00,",
        csv.body().asText().lines().filter(l -> l.contains(ann)).findFirst().orElse(""));
    assertEquals(403, api.http.post(PATH, api.token(newUser("lee"), "user"), body).status());
  }
}
