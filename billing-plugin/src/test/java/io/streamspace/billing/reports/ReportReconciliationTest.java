package io.streamspace.billing.reports;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.http.HttpMethod;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A closed period's report reconciles to the cent with the period's invoices. Usage is seeded
 * through the plugin's hooks, rated by calculate-usage, and March is invoiced and finalized by
 * the generate-invoices job past its grace; then the report of March grouped by user is read
 * through its route and compared with the finalized invoices' lines.
 *
 * <p>Only the invoices' {@code usage} lines are compared: the report is of usage, while an
 * invoice also has lines that are not usage (a plan fee, a credit applied), which the comparison
 * leaves out by kind. In the usage billing mode every rated record of the period is charged on a
 * usage line at its rate, so the usage lines are the whole of the usage. The scenario has such
 * another line (bob's credit) to show such lines are left out, not absent; in the usage mode a
 * plan has no fee line, carol's move to Pro included (other modes charge fees and net out what
 * plans include, so their invoices are not a sum of usage at rates).
 */
class ReportReconciliationTest {

  private static final String MARCH = "2026-03-01T00:00:00Z";
  private static final String AFTER_GRACE = "2026-04-01T01:00:00Z";

  private final BillingHarness billing =
      new BillingHarness(
          at(MARCH),
          BillingHarness.USD_AND_VND_CONFIG.replaceFirst("\\{", "{\"billingMode\": \"usage\", "));

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void marchGroupedByUserAddsUpToEachMarchInvoicesUsageLinesToTheCent() {
    seedMarch();
    billing.calculateUsageAt(AFTER_GRACE);
    billing.runAt(GENERATE_INVOICES, AFTER_GRACE);
    assertEquals(
        List.of(
            List.of("alice", "sent"),
            List.of("bob", "paid"),
            List.of("carol", "sent"),
            List.of("thu", "sent")),
        rows(
            "SELECT user_id, status FROM billing_invoices WHERE period_start = ?::timestamptz"
                + " ORDER BY user_id",
            MARCH),
        "March is finalized for every account (bob's credit pays his)");
    assertEquals(
        List.of(List.of("bob", "credit")),
        rows(
            """
            SELECT DISTINCT i.user_id, l.kind FROM billing_invoice_lines l
            JOIN billing_invoices i ON i.id = l.invoice_id
            WHERE l.kind NOT IN ('usage') ORDER BY 1, 2"""),
        "lines that are not usage exist, and are left out of the comparison");

    Answer report =
        billing.call(
            HttpMethod.GET,
            "/admin/reports?from=2026-03-01&to=2026-04-01&group_by=user",
            admin("root"));

    assertEquals(200, report.status(), report.body().toString());
    assertEquals(invoiceUsageLines(), reportLines(report.body()), "line by line");
    assertEquals(invoiceUsageTotals(), reportTotals(report.body()), "per user and currency");
  }

  /**
   * alice (USD): 3 cores and 2 GB for 1 h 30 min (0.225 → 0.23, 0.03), and 1 core from 07:14:34
   * to 09:29:34 (2.25 core-hours, 0.1125 → 0.11). bob (USD, a credit of 1.00): 2 cores from
   * March 31 23:30 to April 1 00:30, half of it in March (1 core-hour, 0.05). carol (USD) moves
   * to Pro on March 10 and runs 4 cores for 3 hours after (0.60). thu (VND): 1 core and 1 GB for
   * 20 minutes (416.67 → 417, 83.33 → 83).
   */
  private void seedMarch() {
    billing.userCreated("alice", Map.of());
    billing.userCreated("bob", Map.of());
    billing.userCreated("carol", Map.of());
    billing.userCreated("thu", Map.of("currency", "VND"));
    billing.flush();
    Answer credit =
        billing.call(
            HttpMethod.POST,
            "/admin/credits",
            admin("root"),
            "{\"user_id\": \"bob\", \"amount\": 1, \"reason\": \"welcome\"}");
    assertEquals(201, credit.status(), credit.body().toString());
    billing.session(
        "s1", "alice", "2026-03-05T10:00:00Z", "2026-03-05T11:30:00Z", size("3", "2", "0"));
    billing.session(
        "s2", "alice", "2026-03-20T07:14:34Z", "2026-03-20T09:29:34Z", size("1", "0", "0"));
    billing.session(
        "s3", "bob", "2026-03-31T23:30:00Z", "2026-04-01T00:30:00Z", size("2", "0", "0"));
    billing.session(
        "s4", "thu", "2026-03-05T10:00:00Z", "2026-03-05T10:20:00Z", size("1", "1", "0"));
    billing.clock.set(at("2026-03-10T00:00:00Z"));
    Answer toPro =
        billing.call(HttpMethod.PUT, "/subscription", user("carol"), "{\"plan_id\": \"pro\"}");
    assertEquals(200, toPro.status(), toPro.body().toString());
    billing.session(
        "s5", "carol", "2026-03-12T10:00:00Z", "2026-03-12T13:00:00Z", size("4", "0", "0"));
  }

  /** "user currency resource unit_price quantity cost" of each usage line of March's invoices. */
  private static List<String> invoiceUsageLines() {
    List<String> lines = new ArrayList<>();
    for (List<Object> row :
        rows(
            """
            SELECT i.user_id, i.currency, l.resource_type, l.unit_price, l.quantity, l.amount
            FROM billing_invoice_lines l JOIN billing_invoices i ON i.id = l.invoice_id
            WHERE l.kind = 'usage' AND i.period_start = ?::timestamptz AND i.status <> 'void'
            ORDER BY i.user_id, i.currency, l.resource_type, l.unit_price""",
            MARCH)) {
      lines.add(
          String.join(
              " ",
              row.get(0).toString(),
              row.get(1).toString(),
              row.get(2).toString(),
              plain(row.get(3)),
              plain(row.get(4)),
              plain(row.get(5))));
    }
    return lines;
  }

  private static List<String> reportLines(JsonNode report) {
    List<String> lines = new ArrayList<>();
    for (JsonNode row : report.get("rows")) {
      lines.add(
          String.join(
              " ",
              row.get("user_id").asText(),
              row.get("currency").asText(),
              row.get("resource_type").asText(),
              plain(row.get("unit_price").decimalValue()),
              plain(row.get("quantity").decimalValue()),
              plain(row.get("cost").decimalValue())));
    }
    return lines;
  }

  private static Map<String, BigDecimal> invoiceUsageTotals() {
    Map<String, BigDecimal> totals = new TreeMap<>();
    for (List<Object> row :
        rows(
            """
            SELECT i.user_id || ' ' || i.currency, sum(l.amount)
            FROM billing_invoice_lines l JOIN billing_invoices i ON i.id = l.invoice_id
            WHERE l.kind = 'usage' AND i.period_start = ?::timestamptz AND i.status <> 'void'
            GROUP BY 1""",
            MARCH)) {
      totals.put(row.get(0).toString(), ((BigDecimal) row.get(1)).stripTrailingZeros());
    }
    return totals;
  }

  private static Map<String, BigDecimal> reportTotals(JsonNode report) {
    Map<String, BigDecimal> totals = new TreeMap<>();
    for (JsonNode row : report.get("rows")) {
      totals.merge(
          row.get("user_id").asText() + " " + row.get("currency").asText(),
          row.get("cost").decimalValue(),
          BigDecimal::add);
    }
    totals.replaceAll((key, total) -> total.stripTrailingZeros());
    return totals;
  }

  /** A decimal compared by value: 4.500000 and 4.5 alike. */
  private static String plain(Object decimal) {
    return new BigDecimal(decimal.toString()).stripTrailingZeros().toPlainString();
  }
}
