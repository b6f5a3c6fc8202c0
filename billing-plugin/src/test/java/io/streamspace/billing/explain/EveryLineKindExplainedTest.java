package io.streamspace.billing.explain;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.billing.support.StoreFixtures;
import io.streamspace.billing.support.ThemeBundles;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every kind of invoice line the schema allows ({@code billing_invoice_lines_kind_check}) has an
 * explanation whose records add up to it by the invoice's rule: a usage line (usage mode, on a
 * draft's preview and on the finalized invoice), and in hybrid mode on a team plan a prorated
 * plan fee, a resource's overage, a counter's overage, the seats, a one-time and a recurring
 * pack, an item bought in the store, a credit and a payment from the prepaid balance; and a
 * correction line, on the invoice after the one a usage correction made cost more.
 *
 * <p>acme (hybrid, plan Team: 20.00 a month, 2 cores, 1 seat and 5 GB of bandwidth included;
 * 3.10 a seat, 0.08 a GB): olivia its owner and adam an admin from March 1 (one seat over, the
 * whole month: 3.10); adam runs 4 cores 10:00–11:00 on March 5 (14,400 core-seconds, 7,200
 * included: 2 core-hours × 0.05 = 0.10); olivia reports 7 GB of bandwidth (2 over: 0.16); on
 * March 10 she buys 5 job slots (one-time, 5.00) and 10 GB of storage (recurring, 2.00 × 22/31
 * = 1.42: 1,900,800 of March's 2,678,400 seconds); an admin grants 1.00 of credit and puts 2.00
 * on its prepaid balance, which pays 2.00 of what the credit leaves; olivia redeemed TEAM10, 10 %
 * off Team's fee (a discount line of −2.00). The cpu
 * overage is adam's record (14,400 core-seconds, 0.20) less what Team includes of the hour
 * (−7,200, −0.10).
 */
class EveryLineKindExplainedTest {

  private static final String MARCH = "2026-03-01T00:00:00Z";
  private static final String AFTER_GRACE = "2026-04-01T01:00:00Z";

  private static final String TEAM_HYBRID =
      """
      {"billingMode": "hybrid", "meterRates": {"members": 3.10, "bandwidth_gb": 0.08},
       "defaultPlan": "team",
       "subscriptionPlans": [{"id": "team", "name": "Team", "price": 20, "interval": "month",
         "limits": {"cpu_cores": {"limit": 2}, "members": {"limit": 1, "kind": "soft"},
                    "bandwidth_gb": {"limit": 5, "kind": "soft"}}}]}""";

  @Test
  void everyKindOfLineHasAnExplanationWhoseRecordsAddUpToIt() {
    Set<String> explained = new TreeSet<>();
    Set<String> sources = new TreeSet<>();

    try (BillingHarness billing = new BillingHarness(at(MARCH))) {
      billing.userCreated("ann", Map.of());
      billing.session(
          "s1", "ann", "2026-03-05T10:00:00Z", "2026-03-05T11:30:00Z", size("3", "2", "0"));
      billing.calculateUsageAt("2026-04-01T00:00:00Z");
      billing.runAt(GENERATE_INVOICES, "2026-04-01T00:00:00Z"); // a draft, in its grace
      long march = invoiceId("ann", MARCH);
      explainEvery(billing, march, "", user("ann"), explained, sources);
      billing.runAt(GENERATE_INVOICES, AFTER_GRACE); // finalized
      assertEquals(
          List.of(
              "usage cpu usage cpu 4.5 core-hours 0.05 0.23",
              "usage memory usage memory 3 gb-hours 0.01 0.03"),
          lines(march));
      explainEvery(billing, march, "", user("ann"), explained, sources);
      // s1 held 5 cores from 10:00 to 11:00, not 3: 2 core-hours more (0.10), on April's
      billing.clock.set(at("2026-04-02T00:00:00Z"));
      Answer corrected =
          billing.call(
              HttpMethod.POST,
              "/admin/corrections",
              admin("root"),
              """
              {"reason": "5 cores", "items": [{"amend": {"session_id": "s1",
                "from": "2026-03-05T10:00:00Z", "to": "2026-03-05T11:00:00Z", "cpu_cores": 5}}]}""");
      assertEquals(201, corrected.status(), corrected.toString());
      billing.calculateUsageAt("2026-05-01T01:00:00Z");
      billing.runAt(GENERATE_INVOICES, "2026-05-01T01:00:00Z");
      explainEvery(
          billing, invoiceId("ann", "2026-04-01T00:00:00Z"), "", user("ann"), explained, sources);
    }

    try (BillingHarness billing = new BillingHarness(at(MARCH), TEAM_HYBRID)) {
      OrgFixtures.opened(billing, "acme", "Acme", "olivia", "USD", "team", MARCH);
      OrgFixtures.added("acme", "adam", "admin", MARCH);
      OrgFixtures.session(
          billing,
          "acme",
          "t1",
          "adam",
          "2026-03-05T10:00:00Z",
          "2026-03-05T11:00:00Z",
          size("4", "0", "0"));
      billing.billing.onUsageReported(
          billing.context,
          new UsageReport(
              "b1",
              at("2026-03-06T10:00:00Z"),
              "olivia",
              "bandwidth_gb",
              new BigDecimal("7"),
              null,
              "acme"));
      billing.flush();
      billing.clock.set(at("2026-03-10T00:00:00Z"));
      for (String pack : List.of("slots-5", "storage-10")) {
        Answer bought =
            billing.call(
                HttpMethod.POST,
                "/packs/" + pack + "/purchase",
                user("olivia"),
                "{\"org_id\":\"acme\"}");
        assertTrue(bought.status() == 200 || bought.status() == 201, bought.toString());
      }
      long theme = StoreFixtures.listed(billing, ThemeBundles.good("Midnight", "1.0.0"));
      Answer themeBought =
          billing.call(
              HttpMethod.POST,
              "/store/items/" + theme + "/purchase",
              user("olivia"),
              "{\"org_id\":\"acme\"}");
      assertEquals(201, themeBought.status(), themeBought.toString());
      Answer credit =
          billing.call(
              HttpMethod.POST,
              "/admin/credits",
              admin("root"),
              "{\"user_id\":\"acme\",\"amount\":1,\"reason\":\"welcome\"}");
      assertEquals(201, credit.status(), credit.toString());
      Answer balance =
          billing.call(
              HttpMethod.POST,
              "/admin/balance",
              admin("root"),
              "{\"org_id\":\"acme\",\"amount\":2,\"currency\":\"USD\",\"reason\":\"wire\"}");
      assertEquals(201, balance.status(), balance.toString());
      Answer coupon =
          billing.call(
              HttpMethod.POST,
              "/admin/coupons",
              admin("root"),
              """
              {"id": "TEAM10", "percent_off": 10, "duration": "once",
               "applies_to": {"plans": ["team"]}, "codes": ["TEAM10"], "reason": "launch"}""");
      assertEquals(201, coupon.status(), coupon.toString());
      Answer redeemed =
          billing.call(
              HttpMethod.POST,
              "/redeem",
              user("olivia"),
              "{\"org_id\":\"acme\",\"code\":\"TEAM10\"}");
      assertEquals(201, redeemed.status(), redeemed.toString());
      billing.calculateUsageAt(AFTER_GRACE);
      billing.runAt(GENERATE_INVOICES, AFTER_GRACE);
      long march = invoiceId("acme", MARCH);
      assertEquals(
          List.of(
              "plan_fee Team, 2026-03-01 – 2026-04-01 null null null 20 20.00",
              "overage cpu overage cpu 2 core-hours 0.05 0.10",
              "overage bandwidth_gb overage bandwidth_gb 2 GB 0.08 0.16",
              "overage members members 1 seat-months 3.1 3.10",
              "pack 5 job slots, 2026-03-10 – 2026-04-09 null null null 5.00 5.00",
              "pack 10 GB storage, 2026-03-10 – 2026-04-01 null null null 2.00 1.42",
              "store Midnight 1.0.0 (store), for good null null null 4.99 4.99",
              "discount Coupon TEAM10 (10 % off): Team, 2026-03-01 – 2026-04-01 null null null"
                  + " null -2.00",
              "credit Credit: welcome null null null null -1",
              "prepaid Paid from the prepaid balance null null null null -2.00"),
          lines(march));
      explainEvery(billing, march, "?org_id=acme", user("olivia"), explained, sources);
      JsonNode overage =
          billing
              .call(
                  HttpMethod.GET,
                  "/invoices/" + march + "/lines/2/explain?org_id=acme",
                  user("olivia"))
              .body();
      assertEquals(
          "usage_record t1 14400 0.20 0.20, plan_allowance null -7200 -0.10 0.10",
          summary(overage.get("records")));
      JsonNode storagePack =
          billing
              .call(
                  HttpMethod.GET,
                  "/invoices/" + march + "/lines/6/explain?org_id=acme",
                  user("olivia"))
              .body();
      assertEquals(
          "1900800 s of the 2678400 s billing period 2026-03-01 – 2026-04-01",
          storagePack.at("/records/0/detail").asText());
      String creditUsed =
          billing
              .call(
                  HttpMethod.GET,
                  "/invoices/" + march + "/lines/9/explain?org_id=acme",
                  user("olivia"))
              .body()
              .at("/records/0/detail")
              .asText();
      assertTrue(
          creditUsed.contains(" of $1.00 granted by root (welcome)"),
          "the credit's amount as the page writes money: " + creditUsed);
    }

    assertEquals(kindsTheSchemaAllows(), explained);
    assertEquals(
        Set.of(
            "usage_record",
            "plan_allowance",
            "period_part",
            "pack_charge",
            "credit_application",
            "member_share",
            "store_purchase",
            "balance_entry",
            "correction_record",
            "corrected_line",
            "coupon"),
        sources);
  }

  /** Explains every line of the invoice, checking each adds up to its line. */
  private static void explainEvery(
      BillingHarness billing,
      long invoiceId,
      String query,
      Caller caller,
      Set<String> kinds,
      Set<String> sources) {
    JsonNode invoice =
        billing.call(HttpMethod.GET, "/invoices/" + invoiceId + query, caller).body();
    assertFalse(invoice.get("lines").isEmpty(), invoice.toString());
    for (JsonNode line : invoice.get("lines")) {
      int n = line.get("line_no").asInt();
      String path =
          "/invoices/"
              + invoiceId
              + "/lines/"
              + n
              + "/explain"
              + query
              + (query.isEmpty() ? "?" : "&")
              + "limit=100";
      Answer answer = billing.call(HttpMethod.GET, path, caller);
      String what = line + " → " + answer.body();
      assertEquals(200, answer.status(), what);
      JsonNode body = answer.body();
      assertEquals(line, body.get("line"), what);
      assertFalse(body.get("computation").asText().isBlank(), what);
      assertTrue(body.at("/sums/matches_line").asBoolean(), what);
      JsonNode records = body.get("records");
      assertFalse(records.isEmpty(), what);
      assertEquals(records.size(), body.get("record_count").asInt(), what);
      assertEquals(
          0,
          records
              .get(records.size() - 1)
              .get("subtotal")
              .decimalValue()
              .compareTo(line.get("amount").decimalValue()),
          what);
      BigDecimal rounded = BigDecimal.ZERO;
      List<String> ofLine = new ArrayList<>();
      for (JsonNode r : records) {
        rounded = rounded.add(r.get("amount").decimalValue());
        ofLine.add(r.get("source").asText());
      }
      assertEquals(
          0, rounded.compareTo(body.at("/sums/sum_of_rounded_records").decimalValue()), what);
      kinds.add(line.get("kind").asText());
      sources.addAll(ofLine);
    }
  }

  /** Records as {@code source session unit-seconds amount subtotal}, comma-separated. */
  private static String summary(JsonNode records) {
    List<String> shown = new ArrayList<>();
    for (JsonNode r : records) {
      shown.add(
          r.get("source").asText()
              + " "
              + r.get("session_id").asText()
              + " "
              + r.get("unit_seconds").decimalValue().toPlainString()
              + " "
              + r.get("amount").decimalValue().toPlainString()
              + " "
              + r.get("subtotal").decimalValue().toPlainString());
    }
    return String.join(", ", shown);
  }

  /** The kinds {@code billing_invoice_lines.kind} may hold, read from its check constraint. */
  private static Set<String> kindsTheSchemaAllows() {
    String check =
        (String)
            value(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                    + " WHERE conname = 'billing_invoice_lines_kind_check'");
    Set<String> kinds = new TreeSet<>();
    Matcher quoted = Pattern.compile("'([a-z_]+)'").matcher(check);
    while (quoted.find()) {
      kinds.add(quoted.group(1));
    }
    assertEquals(9, kinds.size(), check);
    return kinds;
  }
}
