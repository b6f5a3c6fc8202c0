package io.streamspace.billing.corrections;

import static io.streamspace.billing.corrections.CorrectionStory.ANN;
import static io.streamspace.billing.corrections.CorrectionStory.BEN;
import static io.streamspace.billing.corrections.CorrectionStory.MARCH;
import static io.streamspace.billing.corrections.CorrectionStory.PERIODS;
import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.FINALIZE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.corrections.CorrectionStory.Correction;
import io.streamspace.billing.corrections.CorrectionStory.Delivery;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.http.HttpMethod;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The property of usage corrections (issue 54), randomized: for any history and any corrections
 * of it made at any time, what an organization was finally charged for a period (its invoice's
 * charges, plus the correction lines later invoices bill for that period, less the credit notes
 * on its invoice and the account credits of what it could not hold, all before tax, credits and
 * payments from a prepaid balance) is, to the cent, what the corrected history costs had it been
 * known from the start; and {@code /usage} says the same.
 *
 * <p>From a seed, {@link CorrectionStory} generates a history, what the platform lost of it and
 * an admin's corrections. Two organizations of one database tell it: ann receives the history
 * without what was lost, then the corrections through {@code POST /admin/corrections}, each at
 * its instant (calculate-usage run then, as hourly it would have), before or after the invoice of
 * the period it corrects, in an order of their own, some previewed first (the preview must answer
 * what applying does, to the cent), some posted by two requests at once (both must answer the one
 * correction), some posted again later under their key (the retry must answer the same
 * correction); ben receives the corrected history from the start. Both are teams whose owner runs
 * the sessions, with the same members added and removed at the same instants (seats: small
 * includes the owner's, large none); both change plan at the same instants (to {@code large},
 * whose fee, included GPU minutes and included seats differ, and back), get the same admin
 * credits, and the same admin's credit notes on their invoices (ann's corrections' credits then
 * find less on hers, and carry what it cannot hold to an account credit).
 * Each period's invoice is
 * generated at 01:30 on the 1st (calculate-usage first), or drafted at 00:20 and finalized at
 * 01:30 with a correction sometimes made in between; the last correction comes before June's
 * invoice, which bills every correction line left; no credit is left pending.
 *
 * <p>The prices are odd (0.0437 a core-hour, 0.0113 a GB-hour, 0.137 a GB-month, 0.013 a GPU
 * minute above 150) so that lines round. {@code /usage} shows a period's usage as corrected, the
 * corrections made after its invoice included: ann's {@code /usage} lines and total are ben's, to
 * the cent, and under them ann's usage records with the corrections' usage kept beside her invoice
 * are ben's records, to the unit-second, by resource and price.
 *
 * <p>Seeds: five fixed ones and one new each run, shown in the test's name; {@code
 * -Dcorrections.seed=N} runs seed N only, to replay a failure; {@code -Dcorrections.seeds=N}
 * runs seeds 1 to N, for a longer search.
 */
class CorrectionsPropertyTest {

  private static final String CONFIG =
      """
      {"computeRates": {"cpu_per_core_hour": 0.0437, "memory_per_gb_hour": 0.0113,
         "storage_per_gb_month": 0.137},
       "meterRates": {"members": 3.17},
       "meters": [{"id": "cpu_cores"}, {"id": "memory_gb"}, {"id": "active_sessions"},
         {"id": "storage_gb"},
         {"id": "gpu_minutes", "name": "GPU minutes", "unit": "minute", "aggregation": "sum",
          "prices": {"USD": 0.013}}],
       "subscriptionPlans": [
         {"id": "small", "name": "Small", "price": 0, "interval": "month",
          "limits": {"gpu_minutes": {"limit": 150, "kind": "soft"},
            "members": {"limit": 1, "kind": "soft"}}},
         {"id": "large", "name": "Large", "price": 9.99, "interval": "month",
          "limits": {"gpu_minutes": {"limit": 400, "kind": "soft"},
            "members": {"limit": 0, "kind": "soft"}}}],
       "defaultPlan": "small",
       "capacityPacks": []}""";

  private final BillingHarness billing = new BillingHarness(MARCH, CONFIG);

  /** Each correction's id, by its key, as its first post answered it. */
  private final Map<String, Long> ids = new HashMap<>();

  /** What an admin's credit notes credited both organizations' invoice of a period, each. */
  private final Map<Instant, BigDecimal> goodwill = new HashMap<>();

  @AfterEach
  void unload() {
    billing.close();
  }

  static LongStream seeds() {
    String replay = System.getProperty("corrections.seed");
    if (replay != null) {
      return LongStream.of(Long.parseLong(replay));
    }
    String many = System.getProperty("corrections.seeds");
    if (many != null) { // a longer search: seeds 1 to N
      return LongStream.rangeClosed(1, Long.parseLong(many));
    }
    // 17 and 23 have a correction crediting more than its line still holds (line 0)
    return LongStream.of(1, 2, 3, 17, 23, new Random().nextLong());
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void eachPeriodIsFinallyChargedWhatItsCorrectedHistoryCosts_andUsageShowsTheSame(long seed) {
    CorrectionStory story = CorrectionStory.generate(seed);
    System.out.printf(
        "seed %d (-Dcorrections.seed=%d): %d sessions, %d reports, %d corrections,"
            + " %d plan changes, %d credits, %d seat changes, %d admin's notes%n",
        seed,
        seed,
        story.sessions.size(),
        story.reports.size(),
        story.corrections.size(),
        story.planChanges.size(),
        story.grants.size(),
        story.seats.size(),
        story.goodwill.size());
    deliver(story);
    live(story);

    String replay = story.describe();
    // the sessions and reports are the teams' (their owners' own accounts have none)
    assertTrue(usage(ANN, MARCH, PERIODS.get(1)).path("lines").size() > 0, replay);
    assertEquals(
        0L,
        value(
            "SELECT count(*) FROM billing_usage_records WHERE user_id IN (?, ?)",
            CorrectionStory.owner(ANN),
            CorrectionStory.owner(BEN)),
        replay);
    for (int p = 0; p < PERIODS.size() - 1; p++) {
      assertChargedAsCorrected(PERIODS.get(p), replay);
      assertUsageAsCorrected(PERIODS.get(p), PERIODS.get(p + 1), replay);
    }
    assertEquals(
        "0 0",
        value(
            """
            SELECT (SELECT count(*) FROM billing_correction_charges WHERE invoice_id IS NULL)
                   || ' ' || (SELECT count(*) FROM billing_correction_credits
                              WHERE issued_at IS NULL)"""),
        "every correction line billed and every credit issued; " + replay);
    System.out.printf(
        "seed %d: %s carried to account credits%n",
        seed, value("SELECT coalesce(sum(carried), 0) FROM billing_correction_credits"));
  }

  /**
   * Both organizations' events, together, shuffled, a quarter of them twice, in 1 to 4 batches,
   * before anything is rated; a prepaid balance for both, sometimes, so that some invoices are
   * paid when their credit notes come.
   */
  private void deliver(CorrectionStory story) {
    Random random = new Random(story.seed * 31 + 7);
    List<Object> deliveries = new ArrayList<>(story.annEvents());
    deliveries.addAll(story.benEvents());
    for (Object event : List.copyOf(deliveries)) {
      if (random.nextInt(4) == 0) {
        deliveries.add(event);
      }
    }
    Collections.shuffle(deliveries, random);
    int flushEvery = 1 + deliveries.size() / (1 + random.nextInt(4));
    for (int i = 0; i < deliveries.size(); i++) {
      if (i % flushEvery == 0) {
        billing.flush();
      }
      Object event = deliveries.get(i);
      if (event instanceof UsageReport report) {
        billing.billing.onUsageReported(billing.context, report);
      } else if (event instanceof OrganizationEvent org) {
        billing.billing.onOrganizationEvent(billing.context, org);
      } else {
        Delivery d = (Delivery) event;
        switch (d.hook()) {
          case "created" -> billing.billing.onSessionCreated(billing.context, d.event());
          case "heartbeat" -> billing.billing.onSessionHeartbeat(billing.context, d.event());
          default -> billing.billing.onSessionTerminated(billing.context, d.event());
        }
      }
    }
    billing.flush();
    if (random.nextBoolean()) {
      for (String org : List.of(ANN, BEN)) {
        assertEquals(201, billing.grant(org, "2.00").status(), "the balance of " + org);
      }
    }
  }

  /** Something done at an instant: a job's run or a correction's post, in order. */
  private record Action(Instant at, int order, Runnable run) {}

  /**
   * March to June 1 as it happens: calculate-usage every week (and before each correction and
   * invoice: what it rates is what hourly runs would have rated by then), the invoices, the
   * corrections at their instants.
   */
  private void live(CorrectionStory story) {
    List<Action> actions = new ArrayList<>();
    for (Instant day = MARCH.plus(Duration.ofDays(7)).plus(Duration.ofHours(12));
        day.isBefore(PERIODS.get(PERIODS.size() - 1));
        day = day.plus(Duration.ofDays(7))) {
      String at = day.toString();
      actions.add(new Action(day, 0, () -> billing.calculateUsageAt(at)));
    }
    story.drafted.forEach(
        (period, draft) -> {
          String done = period.plus(Duration.ofMinutes(90)).toString();
          if (draft) {
            String open = period.plus(Duration.ofMinutes(20)).toString();
            actions.add(new Action(Instant.parse(open), 0, () -> invoice(GENERATE_INVOICES, open)));
            actions.add(new Action(Instant.parse(done), 0, () -> invoice(FINALIZE_INVOICES, done)));
          } else {
            actions.add(new Action(Instant.parse(done), 0, () -> invoice(GENERATE_INVOICES, done)));
          }
        });
    for (CorrectionStory.PlanChange change : story.planChanges) {
      actions.add(new Action(change.at(), 0, () -> changePlan(change)));
    }
    for (CorrectionStory.Grant grant : story.grants) {
      actions.add(new Action(grant.at(), 0, () -> credit(grant)));
    }
    for (CorrectionStory.Goodwill note : story.goodwill) {
      actions.add(new Action(note.at(), 0, () -> goodwill(note)));
    }
    for (Correction c : story.applied()) {
      actions.add(new Action(c.at, 1, () -> post(c, c.at, false, story)));
      if (c.again != null) {
        actions.add(new Action(c.again, 2, () -> post(c, c.again, true, story)));
      }
    }
    // stable: corrections of one instant in the order the story applies them
    actions.sort(Comparator.comparing(Action::at).thenComparing(Action::order));
    actions.forEach(a -> a.run().run());
  }

  /** Both organizations change plan, their Owners' PUT /subscription at the same instant. */
  private void changePlan(CorrectionStory.PlanChange change) {
    billing.clock.set(change.at());
    for (String org : List.of(ANN, BEN)) {
      Answer answer =
          billing.call(
              HttpMethod.PUT,
              "/subscription",
              user(CorrectionStory.owner(org)),
              "{\"plan_id\": \"%s\", \"org_id\": \"%s\"}".formatted(change.plan(), org));
      assertEquals(200, answer.status(), change + " of " + org + ": " + answer.body());
    }
  }

  /** Both organizations get an admin's credit of the same amount at the same instant. */
  private void credit(CorrectionStory.Grant grant) {
    billing.clock.set(grant.at());
    for (String org : List.of(ANN, BEN)) {
      Answer answer =
          billing.call(
              HttpMethod.POST,
              "/admin/credits",
              admin("root"),
              "{\"user_id\": \"%s\", \"amount\": %s, \"reason\": \"goodwill\"}"
                  .formatted(org, grant.amount()));
      assertEquals(201, answer.status(), grant + " to " + org + ": " + answer.body());
    }
  }

  /**
   * An admin's credit note on both organizations' invoice of the period, of the story's amount or
   * what either invoice still holds, the less (none when that is nothing).
   */
  private void goodwill(CorrectionStory.Goodwill note) {
    billing.clock.set(note.at());
    BigDecimal amount =
        new BigDecimal(note.amount()).min(holds(ANN, note.period())).min(holds(BEN, note.period()));
    if (amount.signum() <= 0) {
      return;
    }
    for (String org : List.of(ANN, BEN)) {
      Answer answer =
          billing.call(
              HttpMethod.POST,
              "/admin/invoices/" + invoiceOf(org, note.period()) + "/credit-notes",
              admin("root"),
              "{\"amount\": %s, \"reason\": \"goodwill\", \"refund\": \"none\"}"
                  .formatted(amount.toPlainString()));
      assertEquals(201, answer.status(), note + " to " + org + ": " + answer.body());
    }
    goodwill.merge(note.period(), amount, BigDecimal::add);
  }

  /** What the org's invoice of the period still holds for a credit note: its charge lines. */
  private static BigDecimal holds(String org, Instant period) {
    return sum(
        """
        SELECT (SELECT sum(l.amount) FROM billing_invoice_lines l
                WHERE l.invoice_id = i.id AND l.amount > 0 AND l.kind NOT IN ('credit', 'prepaid'))
               - coalesce((SELECT sum(n.amount) FROM billing_credit_notes n
                           WHERE n.invoice_id = i.id), 0)
        FROM billing_invoices i
        WHERE i.user_id = ? AND i.period_start = ? AND i.status NOT IN ('void', 'draft')""",
        org,
        period);
  }

  private static long invoiceOf(String org, Instant period) {
    return (Long)
        value(
            "SELECT id FROM billing_invoices WHERE user_id = ? AND period_start = ?"
                + " AND status NOT IN ('void', 'draft')",
            org,
            Timestamp.from(period));
  }

  private void invoice(String job, String at) {
    billing.calculateUsageAt(at);
    billing.runAt(job, at);
  }

  /** Posts the correction at {@code at}, previewed first when the story says so. */
  private void post(Correction c, Instant at, boolean again, CorrectionStory story) {
    billing.calculateUsageAt(at.toString());
    String body = c.json();
    Answer preview =
        again || !c.previewed
            ? null
            : billing.call(HttpMethod.POST, "/admin/corrections?preview=true", admin("root"), body);
    Answer answer = c.racing && !again ? racing(c) : posted(c);

    String why = c + " answered " + answer.body() + "\n" + story.describe();
    assertEquals(201, answer.status(), why);
    long id = answer.body().path("id").asLong();
    if (again) {
      assertEquals(ids.get(c.key), id, "a retry answers the correction it made; " + why);
      return;
    }
    ids.put(c.key, id);
    if (preview != null) {
      assertEquals(200, preview.status(), why);
      assertEquals(effects(answer), effects(preview), "the preview is what applying did; " + why);
    }
  }

  private Answer posted(Correction c) {
    return billing.call(
        HttpMethod.POST,
        "/admin/corrections",
        admin("root"),
        c.json(),
        Map.of("idempotency-key", c.key));
  }

  /**
   * The correction posted by two requests at once under its key, as two nodes would take them:
   * both answer the one correction it made; the money shows it applied and credited once.
   */
  private Answer racing(Correction c) {
    ExecutorService nodes = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Answer>> answers = new ArrayList<>();
      for (int n = 0; n < 2; n++) {
        answers.add(
            nodes.submit(
                () -> {
                  start.await();
                  return posted(c);
                }));
      }
      start.countDown();
      Answer first = answers.get(0).get();
      Answer second = answers.get(1).get();
      String both = c + "\n" + first + "\n" + second;
      assertEquals(201, first.status(), both);
      assertEquals(201, second.status(), both);
      assertEquals(first.body().path("id"), second.body().path("id"), both);
      return first;
    } catch (InterruptedException | ExecutionException e) {
      throw new AssertionError(e);
    } finally {
      nodes.shutdown();
    }
  }

  /** Each invoice's outcome and money in a correction's answer. */
  private static List<String> effects(Answer answer) {
    List<String> effects = new ArrayList<>();
    for (JsonNode invoice : answer.body().path("invoices")) {
      effects.add(
          invoice.path("invoice_number").asText()
              + " "
              + invoice.path("outcome").asText()
              + " "
              + invoice.path("before").decimalValue().toPlainString()
              + " "
              + invoice.path("after").decimalValue().toPlainString()
              + " "
              + invoice.path("lines"));
    }
    return effects;
  }

  // ------------------------------------------------------------------ the money

  /**
   * Ann's invoice of the period, its charges before credits (but the correction lines it bills
   * for earlier periods), plus the correction lines any invoice of hers bills for this period,
   * less the credit notes on it (before tax, as lines are), is ben's invoice of the period.
   */
  private void assertChargedAsCorrected(Instant period, String replay) {
    BigDecimal ann =
        charges(ANN, period).add(correctionLines(ANN, period)).subtract(credited(ANN, period));
    BigDecimal admins = goodwill.getOrDefault(period, BigDecimal.ZERO);
    BigDecimal ben = charges(BEN, period).subtract(admins);
    assertEquals(
        ben.setScale(2),
        ann.setScale(2),
        () ->
            ("%s as finally charged: %s + %s - %s; ben from the start: %s\nann's money: %s"
                    + "\nben's: %s\n%s")
                .formatted(
                    period,
                    charges(ANN, period),
                    correctionLines(ANN, period),
                    credited(ANN, period),
                    ben,
                    money(ANN, period),
                    money(BEN, period),
                    replay));
    assertEquals(BigDecimal.ZERO.setScale(2), correctionLines(BEN, period).setScale(2), replay);
    assertEquals(admins.setScale(2), credited(BEN, period).setScale(2), replay);
  }

  /**
   * The charges of the org's invoice of the period, before credits and what the prepaid balance
   * paid of it (the balances are paid from at other times: seed 60), but correction lines.
   */
  private static BigDecimal charges(String org, Instant period) {
    assertEquals(
        1L,
        value(
            "SELECT count(*) FROM billing_invoices WHERE user_id = ? AND period_start = ?"
                + " AND status NOT IN ('void', 'draft')",
            org,
            Timestamp.from(period)),
        org + "'s invoice of " + period);
    return sum(
        """
        SELECT sum(l.amount) FROM billing_invoice_lines l
        JOIN billing_invoices i ON i.id = l.invoice_id
        WHERE i.user_id = ? AND i.period_start = ? AND i.status <> 'void'
          AND l.kind NOT IN ('credit', 'prepaid', 'correction')""",
        org,
        period);
  }

  /** The correction lines the org's invoices bill for the period, whichever invoice bills them. */
  private static BigDecimal correctionLines(String org, Instant period) {
    return sum(
        """
        SELECT sum(l.amount) FROM billing_invoice_lines l
        JOIN billing_invoices i ON i.id = l.invoice_id
        WHERE i.user_id = ? AND l.period_start = ? AND i.status <> 'void'
          AND l.kind = 'correction'""",
        org,
        period);
  }

  /**
   * What the credit notes on the org's invoice of the period credited, before tax, and what the
   * corrections' credits carried beyond what it held, as account credits.
   */
  private static BigDecimal credited(String org, Instant period) {
    return sum(
            """
            SELECT sum(n.amount) FROM billing_credit_notes n
            JOIN billing_invoices i ON i.id = n.invoice_id
            WHERE i.user_id = ? AND i.period_start = ?""",
            org,
            period)
        .add(
            sum(
                """
                SELECT sum(c.carried) FROM billing_correction_credits c
                JOIN billing_invoices i ON i.id = c.invoice_id
                WHERE i.user_id = ? AND i.period_start = ?""",
                org,
                period));
  }

  /** The invoice's lines, the corrections' charges and credits of it, for a failure's message. */
  private static String money(String org, Instant period) {
    Timestamp start = Timestamp.from(period);
    return String.join(
        "\n  ",
        "",
        "lines "
            + rows(
                """
            SELECT l.line_no, l.kind, l.resource_type, l.quantity, l.amount
            FROM billing_invoice_lines l JOIN billing_invoices i ON i.id = l.invoice_id
            WHERE i.user_id = ? AND i.period_start = ? AND i.status <> 'void'
            ORDER BY l.line_no""",
                org,
                start),
        "charges "
            + rows(
                """
            SELECT correction_id, line_kind, resource_type, before_amount, after_amount, amount,
                   invoice_id
            FROM billing_correction_charges WHERE org_id = ? AND period_start = ?
            ORDER BY id""",
                org,
                start),
        "credits "
            + rows(
                """
            SELECT c.correction_id, c.amount, c.lines::text, c.credit_note_id, c.carried
            FROM billing_correction_credits c JOIN billing_invoices i ON i.id = c.invoice_id
            WHERE c.org_id = ? AND i.period_start = ? ORDER BY c.correction_id""",
                org,
                start),
        "effects "
            + rows(
                """
            SELECT correction_id, finalized, before, after, lines::text
            FROM billing_correction_effects WHERE org_id = ? AND period_start = ?
            ORDER BY correction_id""",
                org,
                start));
  }

  // ------------------------------------------------------------------ /usage

  /**
   * Ann's {@code /usage} of the period is ben's, line by line and in total, to the cent: the
   * usage as corrected, the corrections made after its invoice included; and it says which
   * corrections changed it (ben's, which none did, says none). Also, under the lines, ann's usage
   * records with the corrections' usage kept beside her invoice are ben's records, to the
   * unit-second, by resource, price and activity.
   */
  private void assertUsageAsCorrected(Instant period, Instant next, String replay) {
    JsonNode ann = usage(ANN, period, next);
    JsonNode ben = usage(BEN, period, next);
    String both = "%s's /usage\nann %s\nben %s\nann's money: %s\n%s";
    assertEquals(
        ben.path("lines"),
        ann.path("lines"),
        () -> both.formatted(period, ann, ben, money(ANN, period), replay));
    assertEquals(
        ben.path("total_cost").decimalValue(),
        ann.path("total_cost").decimalValue(),
        () -> both.formatted(period, ann, ben, money(ANN, period), replay));
    assertEquals(
        ben.path("organization_cost").decimalValue(),
        ann.path("organization_cost").decimalValue(),
        () -> both.formatted(period, ann, ben, money(ANN, period), replay));
    assertEquals(
        usageSeconds(BEN, period, next),
        usageSeconds(ANN, period, next),
        period + "'s usage with its corrections kept beside its invoice; " + replay);
    assertEquals(0, ben.path("corrections").size(), replay);
    if (!usageSeconds(ANN, period, next).equals(ratedSeconds(ANN, period, next))) {
      assertTrue(
          ann.path("corrections").size() > 0,
          () -> "corrected usage names its corrections: " + ann + "\n" + replay);
    }
  }

  /**
   * The org's usage of the period in unit-seconds by resource, unit price and activity: its
   * usage records (what {@code /usage} sums) and the corrections' usage kept beside its invoice.
   */
  private static Map<String, BigDecimal> usageSeconds(String org, Instant from, Instant to) {
    return seconds(
        """
        SELECT resource_type || ' ' || unit_price::text || ' ' || coalesce(activity, ''),
               sum(unit_seconds)
        FROM (SELECT resource_type, unit_price, activity, unit_seconds
              FROM billing_usage_records WHERE user_id = ? AND slice_start >= ? AND slice_start < ?
              UNION ALL
              SELECT resource_type, unit_price, activity, unit_seconds
              FROM billing_correction_usage
              WHERE user_id = ? AND slice_start >= ? AND slice_start < ?) u
        GROUP BY 1""",
        org,
        from,
        to,
        true);
  }

  /** The org's usage records of the period that no correction wrote, as {@link #usageSeconds}. */
  private static Map<String, BigDecimal> ratedSeconds(String org, Instant from, Instant to) {
    return seconds(
        """
        SELECT resource_type || ' ' || unit_price::text || ' ' || coalesce(activity, ''),
               sum(unit_seconds)
        FROM billing_usage_records WHERE user_id = ? AND slice_start >= ? AND slice_start < ?
          AND correction_id = 0
        GROUP BY 1""",
        org,
        from,
        to,
        false);
  }

  private static Map<String, BigDecimal> seconds(
      String sql, String org, Instant from, Instant to, boolean twice) {
    List<Object> params = new ArrayList<>(List.of(org, Timestamp.from(from), Timestamp.from(to)));
    if (twice) {
      params.addAll(List.copyOf(params));
    }
    Map<String, BigDecimal> seconds = new TreeMap<>();
    for (List<Object> row : rows(sql, params.toArray())) {
      BigDecimal sum = ((BigDecimal) row.get(1)).stripTrailingZeros();
      if (sum.signum() != 0) {
        seconds.put((String) row.get(0), sum);
      }
    }
    return seconds;
  }

  private JsonNode usage(String org, Instant from, Instant to) {
    Answer answer =
        billing.call(
            HttpMethod.GET, "/usage?org_id=" + org + "&from=" + from + "&to=" + to, admin("root"));
    assertEquals(200, answer.status(), answer.body().toString());
    return answer.body();
  }

  private static BigDecimal sum(String sql, String org, Instant period) {
    Object sum = value(sql, org, Timestamp.from(period));
    return sum == null ? BigDecimal.ZERO : (BigDecimal) sum;
  }
}
