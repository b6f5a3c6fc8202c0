package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.common.http.ApiException;
import io.streamspace.host.HostPlugins;
import io.streamspace.host.plugins.PluginDataPurge;
import io.streamspace.host.support.HostClient;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A purge of the packaged billing plugin in a running host, after events, an invoice, job runs
 * and a saved config: no billing object and no host row of the plugin is left, and the plugin
 * started again creates its schema afresh and starts after the events journaled so far.
 */
class PluginDataPurgeE2ETest extends BillingHostTestBase {

  private static final String PLUGIN_ROWS =
      """
      SELECT (SELECT count(*) FROM host_plugins WHERE plugin_id = 'billing')
           + (SELECT count(*) FROM host_journal_cursors WHERE plugin_id = 'billing')
           + (SELECT count(*) FROM host_job_runs WHERE plugin_id = 'billing')
           + (SELECT count(*) FROM host_dead_letters WHERE plugin_id = 'billing')
           + (SELECT count(*) FROM qrtz_job_details WHERE job_group = 'billing')
           + (SELECT count(*) FROM qrtz_triggers WHERE trigger_group = 'billing')
           + (SELECT count(*) FROM qrtz_paused_trigger_grps WHERE trigger_group = 'billing')""";

  private static final String BILLING_OBJECTS =
      """
      SELECT count(*) FROM pg_class
      WHERE relnamespace = current_schema()::regnamespace AND relname LIKE 'billing\\_%'""";

  @Test
  void aPurgedBillingPluginLeavesNothingAndStartsAgainFromAnEmptySchema() throws Exception {
    String ann = newUser("ann");
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(ann, Instant.parse("2026-03-10T00:30:00Z")),
            Events.sessionCreated(
                "s-" + ann, ann, Instant.parse("2026-03-10T01:00:00Z"), "2", "4", "0"),
            Events.sessionTerminated("s-" + ann, ann, Instant.parse("2026-03-10T11:00:00Z"))));
    api.awaitCaughtUp("billing");
    clock.set(Instant.parse("2026-04-01T01:00:00Z"));
    api.runJob("calculate-usage");
    api.runJob("generate-invoices");
    assertEquals(1L, count("SELECT count(*) FROM billing_invoices"));
    api.http
        .call(
            "PUT",
            "/api/admin/plugins/billing/config",
            api.adminToken,
            HostClient.json(invoiceDay(5)),
            HostClient.CONFIG_REASON)
        .expect(200);
    sql(
        "INSERT INTO host_dead_letters (plugin_id, event_id, event_type, event, reason,"
            + " first_failed_at, last_failed_at)"
            + " VALUES ('billing', 'evt-x', 'user.created', '{}', 'refused', now(), now())");

    ApiException enabled =
        assertThrows(ApiException.class, () -> HostPlugins.purge(billing.host, "billing"));
    assertEquals("plugin_enabled", enabled.error().code());
    assertEquals(1L, count("SELECT count(*) FROM billing_invoices"), "nothing purged");

    api.http.post("/api/admin/plugins/billing/disable", api.adminToken, null).expect(200);
    PluginDataPurge.Purged purged = HostPlugins.purge(billing.host, "billing");

    assertTrue(purged.pluginDataPurged(), purged.toString());
    assertEquals(1, purged.hostRowsDeleted().get("host_plugins"), purged.toString());
    assertEquals(0L, count(BILLING_OBJECTS), "billing tables, sequences and history left");
    assertEquals(0L, count(PLUGIN_ROWS), "host rows of billing left");

    // a node (re)started with the plugin's zip installs it afresh: empty schema, default config
    billing.close();
    billing = BillingHost.start(work, dbUrl, clock, secrets());
    api = billing.api;
    assertEquals(0L, count("SELECT count(*) FROM billing_invoices"));
    assertEquals(0L, count("SELECT count(*) FROM billing_accounts"));
    JsonNode config = api.http.get("/api/admin/plugins/billing/config", api.adminToken).expect(200);
    assertEquals(1, config.get("invoiceDay").asInt(), config.toString());
    // its place in the journal is after the events journaled before the purge
    api.awaitCaughtUp("billing");
    assertEquals(0L, count("SELECT count(*) FROM billing_accounts"));
  }

  private static Map<String, Object> invoiceDay(int day) {
    return Map.of("invoiceDay", day);
  }

  private long count(String query) throws SQLException {
    return Long.parseLong(text(query));
  }
}
