package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The usage report's CSV through the host from the packaged plugin (Commons CSV loads from the
 * plugin zip's lib/: the host has no copy of it), streamed chunked. The usage records are written with SQL, as
 * calculate-usage would leave them: 2 cores for two hours on March 2 at 0.05 per core-hour,
 * stamped with a rating run of their own as calculate-usage stamps them. (Run 0 would be wrong:
 * the roll-up-usage job may already have moved the daily rollup's watermark past it, and the
 * report would then take the records for rolled up and miss them.)
 */
class ReportsE2ETest extends BillingHostTestBase {

  private String kim;

  @BeforeAll
  void kimHasUsage() throws Exception {
    kim = newUser("kim");
    api.postEvents(platformToken, List.of(Events.userCreated(kim, NOW.minusSeconds(3600))));
    try (Connection c = DriverManager.getConnection(dbUrl)) {
      c.setAutoCommit(false);
      // the rating runs' shared lock (RatingRuns.KEY, "bruns"), held as a run holds it until it
      // commits, so the rollup cannot take the run for settled before its records are in
      try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock_shared(?)")) {
        lock.setLong(1, 0x62_7275_6e73L);
        lock.executeQuery().close();
      }
      try (PreparedStatement s =
          c.prepareStatement(
              """
              INSERT INTO billing_usage_records (user_id, session_id, resource_type,
                  slice_start, slice_end, unit_seconds, unit, unit_price, currency, created_at,
                  rating_run)
              SELECT ?, 's1', 'cpu', h, h + interval '1 hour', 7200, 'core-hours', 0.05,
                  'USD', now(), nextval('billing_rating_runs')
              FROM generate_series('2026-03-02T08:00Z'::timestamptz,
                                   '2026-03-02T09:00Z'::timestamptz, interval '1 hour') h""")) {
        s.setString(1, kim);
        s.executeUpdate();
      }
      c.commit();
    }
  }

  private HttpResponse<String> report(String token) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://localhost:"
                        + billing.host.port()
                        + "/api/plugins/billing/admin/reports"
                        + "?from=2026-03-01&to=2026-04-01&group_by=day&format=csv"))
            .header("Authorization", "Bearer " + token)
            .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anAdminDownloadsTheCsvStreamedAndAUserIsRefused() throws Exception {
    HttpResponse<String> csv = report(api.adminToken);

    assertEquals(200, csv.statusCode(), csv.body());
    assertEquals("text/csv; charset=utf-8", csv.headers().firstValue("Content-Type").orElse(""));
    assertEquals(
        "attachment; filename=\"usage-2026-03-01-2026-04-01-day.csv\"",
        csv.headers().firstValue("Content-Disposition").orElse(""));
    assertFalse(csv.headers().firstValue("Content-Length").isPresent(), "streamed, no length");
    assertEquals(
        "day,currency,resource_type,unit,unit_price,quantity,cost,activity,saved\r\n"
            + "2026-03-02,USD,cpu,core-hours,0.05,4,0.20,,\r\n",
        csv.body());
    assertEquals(403, report(api.token(newUser("lee"), "user")).statusCode());
  }
}
