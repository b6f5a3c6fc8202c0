package io.streamspace.billing.whatif;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.InvoiceFixtures;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.OrganizationEvent.Membership;
import io.streamspace.plugin.api.event.OrganizationEvent.Organization;
import io.streamspace.plugin.api.event.OrganizationEvent.Role;
import io.streamspace.plugin.api.event.OrganizationEvent.Type;
import io.streamspace.plugin.api.event.SessionActivity;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /admin/what-if} against real PostgreSQL, through the plugin's hooks and jobs, with
 * figures worked out by hand. Defaults: USD, UTC, invoice day 1, one hour of grace; 0.05 per
 * core-hour, 0.01 per GB-hour, 0.10 per GB-month (730 hours); Hobby (free) includes 2 cores, 4 GB;
 * Pro is 29.99 and includes 8 cores, 16 GB, 100 GB of storage and 5 seats (10.00 a seat beyond).
 *
 * <p>The hybrid March of {@link #hybridMarchInvoiced}:
 *
 * <ul>
 *   <li>acme, on Pro, owned by u1 with six members (seven seats, two beyond Pro's five: 2 × 10.00
 *       = 20.00). On March 10 u1 runs 8 cores and 4 GB from 10:00 to 11:00 and u2 4 cores and 4
 *       GB from 10:00 to 10:30, storage reported at 150 GB. cpu in the 10:00 hour: 8 × 3,600 + 4
 *       × 1,800 = 36,000 core-seconds against 8 × 3,600 included: 7,200 over (2 core-hours) ×
 *       0.05 = 0.10; memory under 16 GB; storage 50 GB over 100 from 10:00 on March 10 to April
 *       1, 518 h = 35.479452 GB-months × 0.10 = 3.55. u1 buys 5 job slots (5.00) for acme. Its
 *       subtotal: 29.99 + 0.10 + 3.55 + 20.00 + 5.00 = 58.64; it holds a credit of 5.00,
 *       applied after the charges (total 53.64).
 *   <li>ann, personal, on Hobby: 4 cores and 2 GB on March 12 from 08:00 to 13:00: 2 cores over
 *       for 5 hours, 10 core-hours × 0.05 = 0.50; memory under 4 GB.
 *   <li>bob, personal, uses nothing: 0.00.
 * </ul>
 */
class WhatIfTest {

  private static final String MARCH = "2026-03-01T00:00:00Z";
  private static final String AFTER_GRACE = "2026-04-01T01:00:00Z";
  private static final String MARCH_PERIOD =
      "\"period_start\":\"2026-03-01\",\"period_end\":\"2026-04-01\"";

  private BillingHarness billing;

  @AfterEach
  void unload() {
    billing.close();
  }

  private void hybridMarchInvoiced() {
    billing = new BillingHarness(at(MARCH), "{\"billingMode\": \"hybrid\"}");
    deliver(
        new OrganizationEvent(
            "o1",
            at(MARCH),
            Type.CREATED,
            "acme",
            new Organization("Acme", "u1", "USD", "pro"),
            null));
    for (int i = 2; i <= 7; i++) {
      deliver(
          new OrganizationEvent(
              "o" + i,
              at(MARCH),
              Type.MEMBER_ADDED,
              "acme",
              null,
              new Membership("u" + i, Role.MEMBER)));
    }
    OrgFixtures.session(
        billing,
        "acme",
        "s1",
        "u1",
        "2026-03-10T10:00:00Z",
        "2026-03-10T11:00:00Z",
        size("8", "4", "150"));
    OrgFixtures.session(
        billing,
        "acme",
        "s2",
        "u2",
        "2026-03-10T10:00:00Z",
        "2026-03-10T10:30:00Z",
        size("4", "4", "150"));
    billing.userCreated("ann", Map.of());
    billing.userCreated("bob", Map.of());
    billing.session(
        "s3", "ann", "2026-03-12T08:00:00Z", "2026-03-12T13:00:00Z", size("4", "2", "0"));
    billing.flush();
    billing.clock.set(at("2026-03-10T12:00:00Z"));
    Answer pack =
        billing.call(
            HttpMethod.POST, "/packs/slots-5/purchase", user("u1"), "{\"org_id\":\"acme\"}");
    assertTrue(pack.status() == 200 || pack.status() == 201, pack.toString());
    InvoiceFixtures.grantCredit("acme", "5.00", "USD", "goodwill", MARCH, null);
    billing.calculateUsageAt(AFTER_GRACE);
    billing.runAt(GENERATE_INVOICES, AFTER_GRACE);
  }

  private void deliver(OrganizationEvent event) {
    billing.billing.onOrganizationEvent(billing.context, event);
    billing.flush();
  }

  private Answer whatIf(String changes) {
    return billing.call(
        HttpMethod.POST,
        "/admin/what-if",
        admin("root"),
        "{" + MARCH_PERIOD + (changes.isEmpty() ? "" : "," + changes) + "}");
  }

  /** Each organization's row as {@code "org invoiced what-if delta"}. */
  private static List<String> accounts(Answer answer) {
    assertEquals(200, answer.status(), answer.toString());
    List<String> accounts = new ArrayList<>();
    for (JsonNode a : answer.body().get("accounts")) {
      accounts.add(
          a.get("org_id").asText()
              + " "
              + a.get("invoiced_total").decimalValue().toPlainString()
              + " "
              + a.get("what_if_total").decimalValue().toPlainString()
              + " "
              + a.get("delta").decimalValue().toPlainString());
    }
    return accounts;
  }

  /**
   * Every billing table's rows (all those the migrations created, read from the catalog) and
   * every billing sequence's last value.
   */
  private static Map<String, String> billingState() {
    Map<String, String> state = new TreeMap<>(BillingHarness.tableContents());
    for (List<Object> sequence :
        rows(
            """
            SELECT sequencename, coalesce(last_value, 0) FROM pg_sequences
            WHERE schemaname = current_schema() AND sequencename LIKE 'billing\\_%'""")) {
      state.put("sequence " + sequence.get(0), sequence.get(1).toString());
    }
    return state;
  }

  @Test
  void theScenariosInvoicesHaveAPlanFeeOverageSeatsAPackAndACredit() {
    hybridMarchInvoiced();

    assertEquals(
        List.of(
            "plan_fee Pro, 2026-03-01 – 2026-04-01 null null null 29.99 29.99",
            "overage cpu overage cpu 2 core-hours 0.05 0.10",
            "overage storage overage storage 35.479452 gb-months 0.1 3.55",
            "overage members members 2 seat-months 10.00 20.00",
            "pack 5 job slots, 2026-03-10 – 2026-04-09 null null null 5.00 5.00",
            "credit Credit: goodwill null null null null -5.00"),
        lines(invoiceId("acme", MARCH)));
    assertEquals(
        List.of(
            "plan_fee Hobby, 2026-03-01 – 2026-04-01 null null null 0 0.00",
            "overage cpu overage cpu 10 core-hours 0.05 0.50"),
        lines(invoiceId("ann", MARCH)));
  }

  @Test
  void withUnchangedPricesEveryOrganizationsWhatIfTotalIsItsInvoiceBeforeCreditsToTheCent() {
    hybridMarchInvoiced();

    Answer answer = whatIf("");

    Map<String, BigDecimal> subtotals = new TreeMap<>();
    for (List<Object> row :
        rows("SELECT user_id, subtotal FROM billing_invoices WHERE status <> 'void'")) {
      subtotals.put((String) row.get(0), (BigDecimal) row.get(1));
    }
    assertEquals(3, subtotals.size(), subtotals.toString());
    int seen = 0;
    for (JsonNode a : answer.body().get("accounts")) {
      BigDecimal invoiced = subtotals.get(a.get("org_id").asText());
      assertEquals(0, invoiced.compareTo(a.get("invoiced_total").decimalValue()), a.toString());
      assertEquals(0, invoiced.compareTo(a.get("what_if_total").decimalValue()), a.toString());
      assertEquals(0, a.get("delta").decimalValue().signum(), a.toString());
      seen++;
    }
    assertEquals(3, seen);
    assertEquals(3, answer.body().at("/distribution/same").asInt());
  }

  /**
   * The usage billing mode, and usage rated late: ann runs 2 cores and 4 GB on February 27 from
   * 10:00 to 12:00, rated only after February's invoice was finalized (0.00), so March's invoice
   * bills it with March's own 2 cores and 4 GB from 10:00 to 20:00 on March 5: cpu 4 + 20 = 24
   * core-hours × 0.05 = 1.20, memory 8 + 40 = 48 GB-hours × 0.01 = 0.48: 1.68. Each what-if
   * reads again what each invoice claimed: with unchanged prices February's 0.00 and March's
   * 1.68; with cpu at 0.10, March's 24 core-hours cost 2.40: 2.88.
   *
   * <p>Then the same 2 cores and 4 GB on March 20 from 10:00 to 12:00 arrive late, are rated on
   * April 2, after March's invoice, and rolled up into the daily rollup with every day of March:
   * March's what-if reads its whole days from the rollup, less what a later run added to them
   * (those records are April's invoice's), and still says 1.68. April, not drafted yet, is
   * re-rated as its invoice would bill it now: the late 4 core-hours and 8 GB-hours, 0.28; 0.48
   * with cpu at 0.10.
   */
  @Test
  void usageRatedAfterItsPeriodsInvoiceIsReratedOnTheInvoiceThatBilledIt() {
    billing = new BillingHarness(at("2026-02-01T00:00:00Z"));
    billing.userCreated("ann", Map.of());
    billing.session(
        "s1", "ann", "2026-02-27T10:00:00Z", "2026-02-27T12:00:00Z", size("2", "4", "0"));
    billing.session(
        "s2", "ann", "2026-03-05T10:00:00Z", "2026-03-05T20:00:00Z", size("2", "4", "0"));
    billing.flush();
    billing.runAt(GENERATE_INVOICES, "2026-03-01T01:00:00Z");
    billing.calculateUsageAt(AFTER_GRACE);
    billing.runAt(GENERATE_INVOICES, AFTER_GRACE);
    assertEquals(
        List.of(
            "2026-02-01T00:00:00Z..2026-03-01T00:00:00Z paid INV-2026-000001 0.00 0.00 0.00",
            "2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-000002 1.68 0.00 1.68"),
        InvoiceFixtures.invoices("ann"));

    Answer february =
        billing.call(
            HttpMethod.POST,
            "/admin/what-if",
            admin("root"),
            "{\"period_start\":\"2026-02-01\",\"period_end\":\"2026-03-01\"}");

    assertEquals(List.of("ann 0.00 0.00 0.00"), accounts(february));
    assertEquals(List.of("ann 1.68 1.68 0.00"), accounts(whatIf("")));
    assertEquals(
        List.of("ann 1.68 2.88 1.20"), accounts(whatIf("\"rates\":{\"cpu_per_core_hour\":0.10}")));

    billing.session(
        "s4", "ann", "2026-03-20T10:00:00Z", "2026-03-20T12:00:00Z", size("2", "4", "0"));
    billing.flush();
    billing.calculateUsageAt("2026-04-02T00:00:00Z");
    billing.runAt("roll-up-usage", "2026-04-02T00:05:00Z");
    assertEquals("UTC", BillingHarness.value("SELECT time_zone FROM billing_usage_rollup"));
    assertEquals(
        0L,
        ((Number)
                BillingHarness.value(
                    """
                    SELECT count(*) FROM billing_usage_records
                    WHERE rating_run > (SELECT rolled_up_to FROM billing_usage_rollup)"""))
            .longValue());

    assertEquals(List.of("ann 1.68 1.68 0.00"), accounts(whatIf("")));
    assertEquals(
        List.of("ann 1.68 2.88 1.20"), accounts(whatIf("\"rates\":{\"cpu_per_core_hour\":0.10}")));
    Answer april =
        billing.call(
            HttpMethod.POST,
            "/admin/what-if",
            admin("root"),
            "{\"period_start\":\"2026-04-01\",\"period_end\":\"2026-05-01\","
                + "\"rates\":{\"cpu_per_core_hour\":0.10}}");
    assertEquals(List.of("ann 0.28 0.48 0.20"), accounts(april));
  }

  @Test
  void aWhatIfWritesNothingToAnyBillingTableNorSequence() {
    hybridMarchInvoiced();
    Map<String, String> before = billingState();

    accounts(whatIf("\"rates\":{\"cpu_per_core_hour\":0.10},\"billing_mode\":\"usage\""));
    accounts(whatIf(""));

    assertTrue(before.size() > 30, before.keySet().toString());
    assertEquals(before, billingState());
  }

  /**
   * cpu at 0.10 instead of 0.05: acme's 2 core-hours over cost 0.20 (+0.10), ann's 10 cost 1.00
   * (+0.50); bob still nothing. acme: +0.10 of its subtotal is under 5 %; ann +100 %.
   */
  @Test
  void aDearerCpuRateRaisesEachOrganizationsOverageByItsCoreHoursOverThePlan() {
    hybridMarchInvoiced();

    Answer answer = whatIf("\"rates\":{\"cpu_per_core_hour\":0.10}");

    assertEquals(
        List.of("acme 58.64 58.74 0.10", "ann 0.50 1.00 0.50", "bob 0.00 0.00 0.00"),
        accounts(answer));
    JsonNode totals = answer.body().get("totals").get(0);
    assertEquals("USD", totals.get("currency").asText());
    assertEquals(3, totals.get("accounts").asInt());
    assertEquals(new BigDecimal("0.60"), totals.get("delta").decimalValue());
    assertEquals(new BigDecimal("0.60"), totals.get("increase").decimalValue());
    assertEquals(new BigDecimal("0.00"), totals.get("decrease").decimalValue());
    JsonNode distribution = answer.body().get("distribution");
    assertEquals(2, distribution.get("more").asInt());
    assertEquals(0, distribution.get("less").asInt());
    assertEquals(1, distribution.get("same").asInt());
    assertEquals(1, bucket(distribution, "more_up_to_5"));
    assertEquals(1, bucket(distribution, "more_over_50"));
  }

  private static int bucket(JsonNode distribution, String name) {
    for (JsonNode b : distribution.get("buckets")) {
      if (b.get("bucket").asText().equals(name)) {
        return b.get("accounts").asInt();
      }
    }
    throw new AssertionError("no bucket " + name);
  }

  /**
   * Pro at 39.99 including 4 cores: acme's fee +10.00; in the 10:00 hour 36,000 core-seconds
   * against 4 × 3,600 = 14,400 included: 21,600 over, 6 core-hours × 0.05 = 0.30 (+0.20).
   * +10.20 in all; ann and bob are on Hobby.
   */
  @Test
  void aPlansPriceAndIncludedCoresChangeItsOrganizationsFeeAndOverage() {
    hybridMarchInvoiced();

    assertEquals(
        List.of("acme 58.64 68.84 10.20", "ann 0.50 0.50 0.00", "bob 0.00 0.00 0.00"),
        accounts(whatIf("\"plans\":{\"pro\":{\"price\":39.99,\"cpu_limit\":4}}")));
  }

  /** A seat at 15.00 instead of 10.00: acme's two seats beyond Pro's five, +10.00. */
  @Test
  void aDearerSeatRaisesTheSeatsBeyondThePlan() {
    hybridMarchInvoiced();

    assertEquals(
        List.of("acme 58.64 68.64 10.00", "ann 0.50 0.50 0.00", "bob 0.00 0.00 0.00"),
        accounts(whatIf("\"meter_rates\":{\"members\":15}")));
  }

  /**
   * The usage billing mode instead: no plan fee, every core-hour and GB-hour at the rates. acme:
   * cpu 8 + 2 = 10 core-hours = 0.50, memory 4 + 2 = 6 GB-hours = 0.06, storage 150 GB for 518 h
   * = 106.438356 GB-months = 10.64; seats and pack as before: 0.50 + 0.06 + 10.64 + 20.00 + 5.00 =
   * 36.20, 22.44 less than its 58.64. ann: 20 core-hours = 1.00, 10 GB-hours = 0.10: 1.10.
   */
  @Test
  void anotherBillingModeReratesEveryOrganizationUnderIt() {
    hybridMarchInvoiced();

    assertEquals(
        List.of("acme 58.64 36.20 -22.44", "ann 0.50 1.10 0.60", "bob 0.00 0.00 0.00"),
        accounts(whatIf("\"billing_mode\":\"usage\"")));
  }

  @Test
  void theCsvHasARowPerOrganizationThenTheTotalsAndTheBuckets() {
    hybridMarchInvoiced();

    HttpResponse response =
        billing
            .context
            .routes()
            .call(
                HttpMethod.POST,
                "/admin/what-if?format=csv",
                admin("root"),
                "{" + MARCH_PERIOD + ",\"rates\":{\"cpu_per_core_hour\":0.10}}",
                Map.of());

    assertEquals(200, response.status());
    assertEquals("text/csv; charset=utf-8", response.contentType());
    String csv = written(response);
    assertTrue(
        csv.startsWith(
            "kind,org_id,currency,invoiced_total,what_if_total,delta,accounts\r\n"
                + "account,acme,USD,"),
        csv);
    assertTrue(
        csv.contains(
            "account,ann,USD,0.50,1.00,0.50,\r\naccount,bob,USD,0.00,0.00,0.00,\r\n"
                + "total,,USD,"),
        csv);
    assertTrue(csv.contains(",0.60,3\r\nbucket,less_over_50,,,,,0\r\n"), csv);
    assertTrue(csv.endsWith("bucket,more_from_nothing,,,,,0\r\n"), csv);
  }

  private static String written(HttpResponse response) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      response.bodyWriter().writeTo(out);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void badInputIsRefusedNamingTheFieldAndNothingIsDone() {
    hybridMarchInvoiced();
    Map<String, String> before = billingState();

    assertRefused("rates.gpu_per_hour", MARCH_PERIOD + ",\"rates\":{\"gpu_per_hour\":1}");
    assertRefused(
        "rates.cpu_per_core_hour", MARCH_PERIOD + ",\"rates\":{\"cpu_per_core_hour\":-1}");
    assertRefused("plans.platinum", MARCH_PERIOD + ",\"plans\":{\"platinum\":{\"price\":1}}");
    assertRefused("plans.pro.price", MARCH_PERIOD + ",\"plans\":{\"pro\":{\"price\":-5}}");
    assertRefused("meter_rates.members", MARCH_PERIOD + ",\"meter_rates\":{\"members\":-1}");
    assertRefused("billing_mode", MARCH_PERIOD + ",\"billing_mode\":\"free-for-all\"");
    assertRefused("discount", MARCH_PERIOD + ",\"discount\":10");
    assertRefused("period_end", "\"period_start\":\"2026-03-01\",\"period_end\":\"2026-02-01\"");
    assertRefused("period_end", "\"period_start\":\"2026-03-01\",\"period_end\":\"2026-03-15\"");
    assertRefused("period_start", "\"period_start\":\"2026-03-02\",\"period_end\":\"2026-04-01\"");
    assertRefused("period_start", "\"period_start\":\"2026-05-01\",\"period_end\":\"2026-06-01\"");
    assertRefused("period_start", "\"period_end\":\"2026-04-01\"");
    assertRefused("period_end", "\"period_start\":\"2026-03-01\",\"period_end\":\"March\"");

    assertEquals(before, billingState());
  }

  private void assertRefused(String field, String body) {
    Answer answer =
        billing.call(HttpMethod.POST, "/admin/what-if", admin("root"), "{" + body + "}");
    assertEquals(400, answer.status(), body + " → " + answer);
    assertEquals(field, answer.errorField(), body + " → " + answer);
  }

  @Test
  void onlyThePlatformAdminMayAskAWhatIf() {
    hybridMarchInvoiced();

    Answer owner =
        billing.call(HttpMethod.POST, "/admin/what-if", user("u1"), "{" + MARCH_PERIOD + "}");
    Answer nobody = billing.call(HttpMethod.POST, "/admin/what-if", null, "{" + MARCH_PERIOD + "}");

    assertEquals(403, owner.status(), owner.toString());
    assertEquals(401, nobody.status(), nobody.toString());
  }

  // the customer's advisor: the same what-if, for one organization and each plan it could choose

  private static final String ADVICE_AVAILABLE = "billing.advice.available ";

  /**
   * Hybrid, bandwidth at 0.10 a GB (Hobby includes 5 GB, soft; Pro and Enterprise unlimited;
   * bandwidth-50 adds 50 GB for 4.00), adviceMinSaving 20.00 USD. acme (owner u1, member u2) is
   * on Pro and reports 105 GB in March, 30 GB in April. dave, personal on Hobby, reports 305 GB
   * in March: 300 over = 30.00. March is invoiced and finalized.
   */
  private void advisedMarch() {
    billing =
        new BillingHarness(
            at(MARCH),
            """
            {"billingMode": "hybrid", "meterRates": {"bandwidth_gb": 0.10},
             "adviceMinSaving": {"USD": 20.00}}""");
    deliver(
        new OrganizationEvent(
            "o1",
            at(MARCH),
            Type.CREATED,
            "acme",
            new Organization("Acme", "u1", "USD", "pro"),
            null));
    deliver(
        new OrganizationEvent(
            "o2", at(MARCH), Type.MEMBER_ADDED, "acme", null, new Membership("u2", Role.MEMBER)));
    billing.userCreated("dave", Map.of());
    report("b1", "2026-03-10T10:00:00Z", "u1", "acme", "105");
    report("b2", "2026-04-05T10:00:00Z", "u1", "acme", "30");
    report("b3", "2026-03-12T10:00:00Z", "dave", null, "305");
    billing.calculateUsageAt(AFTER_GRACE);
    billing.runAt(GENERATE_INVOICES, AFTER_GRACE);
  }

  private void report(String id, String at, String user, String org, String gb) {
    billing.billing.onUsageReported(
        billing.context,
        new io.streamspace.plugin.api.event.UsageReport(
            id, at(at), user, "bandwidth_gb", new BigDecimal(gb), null, org));
    billing.flush();
  }

  private static String option(JsonNode option) {
    return option.isNull()
        ? "none"
        : option.get("plan_id").asText()
            + (option.get("pack_id").isNull() ? "" : "+" + option.get("pack_id").asText())
            + " "
            + option.get("total").decimalValue().toPlainString();
  }

  /** A period's advice as {@code "paid → cheapest, saving S; plans: ...; packs: ..."}. */
  private static String advice(JsonNode period) {
    List<String> plans = new ArrayList<>();
    for (JsonNode plan : period.get("plans")) {
      plans.add(option(plan.get("alone")) + " / " + option(plan.get("with_pack")));
    }
    List<String> packs = new ArrayList<>();
    for (JsonNode pack : period.get("packs")) {
      packs.add(pack.get("pack_id").asText() + " " + pack.get("saving").decimalValue());
    }
    return period.get("paid").decimalValue().toPlainString()
        + " → "
        + option(period.get("cheapest"))
        + ", saving "
        + period.get("saving").decimalValue().toPlainString()
        + "; plans: "
        + plans
        + "; packs: "
        + packs
        + "; right-sizing: "
        + period.get("right_sizing");
  }

  /**
   * March on Pro: 29.99 (bandwidth unlimited). On Hobby: 100 GB over × 0.10 = 10.00; with
   * bandwidth-50 bought: 50 over = 5.00 + 4.00 = 9.00, the cheapest: 20.99 less. Pro with the pack
   * is dearer (33.99), Enterprise 99.99. The what-if of Pro priced and limited as Hobby gives the
   * same 10.00. April so far (the clock on April 10): Pro's fee 29.99; Hobby 25 GB over = 2.50,
   * with the pack 4.00 (not cheaper): Hobby alone, 27.49 less.
   */
  @Test
  void anOrganizationOnProWhoseUsageIsCheaperOnHobbyPlusAPackIsToldTheExactSaving() {
    advisedMarch();
    billing.clock.set(at("2026-04-10T12:00:00Z"));

    Answer answer = billing.call(HttpMethod.GET, "/advice?org_id=acme", user("u1"));

    assertEquals(200, answer.status(), answer.toString());
    JsonNode march = answer.body().get("periods").get(0);
    JsonNode april = answer.body().get("periods").get(1);
    assertEquals("2026-03-01T00:00:00Z true pro", period(march));
    assertEquals(
        "29.99 → free+bandwidth-50 9.00, saving 20.99; plans: [free 10.00 / free+bandwidth-50"
            + " 9.00, pro 29.99 / none, enterprise 99.99 / none]; packs: []; right-sizing: []",
        advice(march));
    assertEquals("2026-04-01T00:00:00Z false pro", period(april));
    assertEquals(
        "29.99 → free 2.50, saving 27.49; plans: [free 2.50 / none, pro 29.99 / none, enterprise"
            + " 99.99 / none]; packs: []; right-sizing: []",
        advice(april));
    Answer whatIf =
        whatIf("\"plans\":{\"pro\":{\"price\":0,\"limits\":{\"bandwidth_gb\":{\"limit\":5}}}}");
    assertTrue(accounts(whatIf).contains("acme 29.99 10.00 -19.99"), accounts(whatIf).toString());
  }

  private static String period(JsonNode period) {
    return period.get("period_start").asText()
        + " "
        + period.get("closed").asBoolean()
        + " "
        + period.get("plan_id").asText();
  }

  /**
   * dave on Hobby paid 30.00 of overage in March; bandwidth-50 would have absorbed 50 GB (5.00)
   * for 4.00: 29.00, 1.00 less, listed among the packs and as Hobby's cheapest option.
   */
  @Test
  void aPackCheaperThanTheOverageItAbsorbsIsListedWithTheOveragePaid() {
    advisedMarch();

    JsonNode march =
        billing.call(HttpMethod.GET, "/advice", user("dave")).body().get("periods").get(0);

    JsonNode pack = march.get("packs").get(0);
    assertEquals(
        "bandwidth-50 [\"bandwidth_gb\"] 4.00 30.00 29.00 1.00",
        pack.get("pack_id").asText()
            + " "
            + pack.get("meters")
            + " "
            + pack.get("price").decimalValue().toPlainString()
            + " "
            + pack.get("overage_paid").decimalValue().toPlainString()
            + " "
            + pack.get("total").decimalValue().toPlainString()
            + " "
            + pack.get("saving").decimalValue().toPlainString());
    assertEquals("free+bandwidth-50 29.00", option(march.get("cheapest")));
  }

  /**
   * Usage mode, March: carol's session holds 2 cores and 4 GB from 10:00 to 14:00 on March 10 and
   * reports using 0.8, 1.0, 1.1 and 0.9 GB an hour each (no cpu figure); dave's the same without
   * figures; erin two such sessions, one reporting 1.0 GB throughout, the other nothing. carol's
   * figures, an hour each: at or below 1.0 cover 75 % of the time, at or below
   * 1.1 all of it, so the p95 is 1.1, rounded up: 2 GB. She paid 2 × 4 × 0.05 = 0.40 of cpu and
   * 4 × 4 × 0.01 = 0.16 of memory, 0.56; at 2 GB memory is 8 GB-hours, 0.08: 0.08 less, what
   * the admin's what-if of memory at half its rate (2 GB-hours for the price of 4) gives her too.
   */
  private void reportedUseInMarch() {
    billing = new BillingHarness(at(MARCH));
    billing.userCreated("carol", Map.of());
    billing.userCreated("dave", Map.of());
    billing.created("2026-03-10T10:00:00Z", "s1", "carol", size("2", "4", "0"));
    String[] used = {"0.8", "1.0", "1.1", "0.9"};
    for (int hour = 0; hour < used.length; hour++) {
      billing.billing.onSessionHeartbeat(
          billing.context,
          new SessionEvent(
              "u" + hour,
              at("2026-03-10T1" + hour + ":00:00Z"),
              "s1",
              "carol",
              null,
              null,
              new SessionActivity(
                  SessionActivity.State.ACTIVE, Map.of("memory_gb", new BigDecimal(used[hour])))));
    }
    billing.terminated("2026-03-10T14:00:00Z", "s1", "carol");
    billing.session(
        "s2", "dave", "2026-03-10T10:00:00Z", "2026-03-10T14:00:00Z", size("2", "4", "0"));
    billing.userCreated("erin", Map.of());
    billing.session(
        "s3", "erin", "2026-03-10T10:00:00Z", "2026-03-10T14:00:00Z", size("2", "4", "0"));
    billing.session(
        "s4", "erin", "2026-03-10T10:00:00Z", "2026-03-10T14:00:00Z", size("2", "4", "0"));
    billing.billing.onSessionHeartbeat(
        billing.context,
        new SessionEvent(
            "e1",
            at("2026-03-10T10:00:00Z"),
            "s3",
            "erin",
            null,
            null,
            new SessionActivity(
                SessionActivity.State.ACTIVE, Map.of("memory_gb", new BigDecimal("1.0")))));
    billing.calculateUsageAt(AFTER_GRACE);
    billing.runAt(GENERATE_INVOICES, AFTER_GRACE);
  }

  @Test
  void sessionsHolding4GbThatUsedAtMost1Point1AreToldThat2GbWouldHaveCostWhatTheWhatIfSays() {
    reportedUseInMarch();

    JsonNode march =
        billing.call(HttpMethod.GET, "/advice", user("carol")).body().get("periods").get(0);
    Answer halfMemory = whatIf("\"rates\":{\"memory_per_gb_hour\":0.005}");

    assertEquals(new BigDecimal("0.56"), march.get("paid").decimalValue());
    JsonNode size = march.get("right_sizing");
    assertEquals(1, size.size(), size.toString());
    assertEquals(
        "used at most 1.1 of memory_gb 4 (p95); at 2 the period would have cost 0.08 less",
        "used at most "
            + size.get(0).get("p95_used").decimalValue().toPlainString()
            + " of "
            + size.get(0).get("meter").asText()
            + " "
            + size.get(0).get("held").decimalValue().toPlainString()
            + " (p95); at "
            + size.get(0).get("suggested").decimalValue().toPlainString()
            + " the period would have cost "
            + size.get(0).get("saving").decimalValue().toPlainString()
            + " less");
    assertTrue(
        accounts(halfMemory).contains("carol 0.56 0.48 -0.08"), accounts(halfMemory).toString());
  }

  /** dave's session reports nothing; erin's memory is not advised: one of hers reports none. */
  @Test
  void aSessionThatReportsNoUseIsNotRightSized() {
    reportedUseInMarch();

    JsonNode dave =
        billing.call(HttpMethod.GET, "/advice", user("dave")).body().get("periods").get(0);
    JsonNode erin =
        billing.call(HttpMethod.GET, "/advice", user("erin")).body().get("periods").get(0);

    assertEquals(new BigDecimal("0.56"), dave.get("paid").decimalValue());
    assertEquals("[]", dave.get("right_sizing").toString());
    assertEquals(new BigDecimal("1.12"), erin.get("paid").decimalValue());
    assertEquals("[]", erin.get("right_sizing").toString());
  }

  @Test
  void aMemberMayNotSeeTheAdviceTheOwnerMay() {
    advisedMarch();

    Answer member = billing.call(HttpMethod.GET, "/advice?org_id=acme", user("u2"));
    Answer owner = billing.call(HttpMethod.GET, "/advice?org_id=acme", user("u1"));

    assertEquals(403, member.status(), member.toString());
    assertEquals(200, owner.status(), owner.toString());
  }

  /**
   * check-budgets after March is finalized: acme's 20.99 exceeds adviceMinSaving (20.00), told
   * once however often it runs; dave's 1.00 does not (priced, not told).
   */
  @Test
  void checkBudgetsPublishesTheAdviceOncePerPeriodWhenItsSavingExceedsTheMinimum() {
    advisedMarch();

    billing.runAt("check-budgets", "2026-04-01T01:30:00Z");
    billing.runAt("check-budgets", "2026-04-01T02:30:00Z");

    List<String> told = new ArrayList<>();
    for (String event : billing.context.published()) {
      if (event.startsWith(ADVICE_AVAILABLE)) {
        told.add(event.substring(ADVICE_AVAILABLE.length()));
      }
    }
    assertEquals(
        List.of(
            """
            {"org_id":"acme","currency":"USD","period_start":"2026-03-01T00:00:00Z",\
            "period_end":"2026-04-01T00:00:00Z","paid":29.99,"plan_id":"free",\
            "pack_id":"bandwidth-50","total":9.00,"saving":20.99}"""),
        told);
    assertEquals(
        List.of(List.of("acme", true), List.of("dave", false)),
        rows("SELECT org_id, published FROM billing_advice_notices ORDER BY org_id"));
  }
}
