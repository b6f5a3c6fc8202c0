package io.streamspace.billing.invoicing;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.BillingConfigParser;
import io.streamspace.billing.config.ConfigParseResult;
import io.streamspace.billing.config.CronValidator;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.metrics.PluginMetrics;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Finalizing in chunks gives the very invoices finalizing one at a time gives. From a seed, a
 * dozen accounts are scripted (team organizations with members joining and leaving, sessions
 * run by their members and counted-meter reports by member; personal accounts in USD or VND on
 * a small or a large plan, some changing plan mid-March, buying a one-time and a recurring pack,
 * running sessions with storage and GPUs (a held meter), and reporting; credits for some, one
 * larger than its invoice;
 * late usage of March rated after March was invoiced), and the script is played twice at the
 * same instants, under the account prefixes {@code a-} and {@code b-}. Each period's {@code a-}
 * drafts are then finalized one at a time (a chunk of one, each its own transaction), the
 * {@code b-} drafts in chunks of {@value #CHUNK}. Every invoice of the one is the invoice of the
 * other: its lines, credit uses, member amounts, claimed records and pack charges, totals and
 * status; and the numbers are gapless, each set numbered in draft order. In usage, subscription
 * and hybrid mode, with two fixed seeds and one new each run ({@code -Dchunks.seed=N} replays
 * seed N).
 */
class ChunkedFinalizationEquivalenceTest {

  private static final int CHUNK = 4;
  private static final int WORKERS = 2;
  private static final Instant MARCH = at("2026-03-01T00:00:00Z");
  private static final String APRIL = "2026-04-01T00:00:00Z";
  private static final String MAY = "2026-05-01T00:00:00Z";
  private static final int ACCOUNTS = 12;

  private static final String CONFIG =
      """
      {"billingMode": "%s",
       "computeRates": {"cpu_per_core_hour": 0.0437, "memory_per_gb_hour": 0.0113,
         "storage_per_gb_month": 0.10},
       "currencyRates": {"VND": {"cpu_per_core_hour": 1237, "memory_per_gb_hour": 263,
         "storage_per_gb_month": 2500}},
       "meterRates": {"members": 7.13},
       "currencyMeterRates": {"VND": {"bandwidth_gb": 2000, "transcoding_minutes": 500,
         "ai_queries": 25, "members": 171250}},
       "meters": [{"id": "cpu_cores"}, {"id": "memory_gb"}, {"id": "active_sessions"},
         {"id": "storage_gb"}, {"id": "bandwidth_gb"},
         {"id": "gpu_minutes", "name": "GPU minutes", "unit": "minute", "aggregation": "sum",
          "prices": {"USD": 0.013, "VND": 317.5}},
         {"id": "gpu", "name": "GPU", "unit": "gpu", "kind": "held",
          "prices": {"USD": 0.71, "VND": 17503}}],
       "subscriptionPlans": [
         {"id": "small", "name": "Small", "price": 9.99, "interval": "month",
          "prices": {"VND": 99000},
          "limits": {"gpu_minutes": {"limit": 20, "kind": "soft"},
            "members": {"limit": 1, "kind": "soft"}, "cpu_cores": {"limit": 2, "kind": "soft"}}},
         {"id": "large", "name": "Large", "price": 29.99, "interval": "month",
          "prices": {"VND": 299000},
          "limits": {"gpu_minutes": {"limit": 150, "kind": "soft"},
            "members": {"limit": 3, "kind": "soft"}, "cpu_cores": {"limit": 8, "kind": "soft"}}}],
       "defaultPlan": "small"}""";

  private BillingHarness billing;

  @AfterEach
  void unload() {
    billing.close();
  }

  static Stream<Arguments> modesAndSeeds() {
    String replay = System.getProperty("chunks.seed");
    LongStream seeds =
        replay != null
            ? LongStream.of(Long.parseLong(replay))
            : LongStream.of(1, 2, new Random().nextLong());
    List<Long> all = seeds.boxed().toList();
    return Stream.of("usage", "subscription", "hybrid")
        .flatMap(mode -> all.stream().map(seed -> Arguments.of(mode, seed)));
  }

  @ParameterizedTest(name = "{0} mode, seed {1}")
  @MethodSource("modesAndSeeds")
  void chunksOnTwoWorkersFinalizeTheSameInvoicesAsOneAtATime_gaplessInDraftOrderPerChunk(
      String mode, long seed) throws Exception {
    String config = CONFIG.formatted(mode);
    billing = new BillingHarness(MARCH, config);
    List<Step> script = new Script(seed).steps();
    for (Step step : script.stream().filter(s -> s.at().isBefore(at(APRIL))).toList()) {
      play(step);
    }
    billing.calculateUsageAt(APRIL);
    billing.runAt(GENERATE_INVOICES, APRIL); // drafts: the grace has not passed
    finalizeBothWays(config, at("2026-04-01T01:00:00Z"));

    for (Step step : script.stream().filter(s -> !s.at().isBefore(at(APRIL))).toList()) {
      play(step);
    }
    billing.calculateUsageAt(MAY);
    billing.runAt(GENERATE_INVOICES, MAY);
    finalizeBothWays(config, at("2026-05-01T01:00:00Z"));

    String replay = "replay with -Dchunks.seed=" + seed;
    List<String> one = invoices("a-");
    assertEquals(one, invoices("b-"), replay);
    assertEquals(lines("a-"), lines("b-"), replay);
    assertEquals(credits("a-"), credits("b-"), replay);
    assertEquals(parts("a-"), parts("b-"), replay);
    assertEquals(claimed("a-"), claimed("b-"), replay);
    assertTrue(one.size() >= 2 * ACCOUNTS, "March and April of each account: " + one);
    assertFalse(parts("b-").isEmpty(), "a team's breakdown by member was compared");
    assertTrue(lines("b-").stream().anyMatch(l -> l.contains(", credit, ")), "credits compared");
    assertTrue(lines("b-").stream().anyMatch(l -> l.contains(", pack, ")), "packs compared");
    if (mode.equals("usage")) { // where a held meter is billed as it is held (billing-rules.md)
      assertTrue(
          lines("b-").stream().anyMatch(l -> l.contains(", gpu-hours, ")), "GPUs held compared");
    }
    assertGapless();
  }

  /** The a- drafts one at a time, then the b- drafts in chunks, at {@code now}. */
  private void finalizeBothWays(String config, Instant now) throws Exception {
    List<Long> alone = drafts("a-");
    List<Long> chunked = drafts("b-");
    assertEquals(alone.size(), chunked.size());
    assertEquals(
        new Finalization(alone.size(), 0), finalizer(config, 1, 1).finalizeAll(alone, now));
    assertEquals(
        new Finalization(chunked.size(), 0),
        finalizer(config, CHUNK, WORKERS).finalizeAll(chunked, now));
    assertNumberedInDraftOrder(List.of(alone));
    assertNumberedInDraftOrder(AccountChunks.of(withAccounts(chunked), CHUNK));
  }

  private static List<AccountChunks.Draft> withAccounts(List<Long> drafts) {
    List<AccountChunks.Draft> withAccounts = new ArrayList<>();
    for (long id : drafts) {
      String account =
          (String) rows("SELECT user_id FROM billing_invoices WHERE id = ?", id).get(0).get(0);
      withAccounts.add(new AccountChunks.Draft(id, account));
    }
    return withAccounts;
  }

  private static InvoiceFinalizer finalizer(String json, int chunk, int workers) {
    ConfigParseResult parsed = new BillingConfigParser(CronValidator.fiveFields()).parse(json);
    assertTrue(parsed.isValid(), parsed.problems().toString());
    BillingConfig config = parsed.config();
    return new InvoiceFinalizer(
        TestDatabase.dataSource(),
        new InvoiceCalculator(TestDatabase.dataSource(), () -> config),
        new BillingEvents((type, payload) -> {}),
        () -> config,
        (connection, invoice) -> {},
        PluginMetrics.none(),
        null,
        new InvoiceFinalizer.Chunking(chunk, workers));
  }

  private static List<Long> drafts(String prefix) {
    return rows(
            "SELECT id FROM billing_invoices WHERE status = 'draft' AND user_id LIKE ? ORDER BY id",
            prefix + "%")
        .stream()
        .map(r -> ((Number) r.get(0)).longValue())
        .toList();
  }

  /**
   * Each run of drafts (in id order) took numbers that follow one another: drafts finalized one
   * after the other, or a chunk, take theirs in draft order; the chunks of one finalization take
   * turns at the counter in no set order.
   */
  private static void assertNumberedInDraftOrder(List<List<Long>> runs) {
    for (List<Long> run : runs) {
      List<Long> numbers = new ArrayList<>();
      for (long id : run) {
        numbers.add(
            ((Number)
                    rows(
                            "SELECT split_part(invoice_number, '-', 3)::bigint"
                                + " FROM billing_invoices WHERE id = ?",
                            id)
                        .get(0)
                        .get(0))
                .longValue());
      }
      for (int i = 1; i < numbers.size(); i++) {
        assertEquals(numbers.get(i - 1) + 1, numbers.get(i), "drafts " + run + ": " + numbers);
      }
    }
  }

  /** The two sets' numbers together are 1..n: one counter, none skipped, none twice. */
  private static void assertGapless() {
    List<Long> all =
        rows(
                """
                SELECT split_part(invoice_number, '-', 3)::bigint FROM billing_invoices
                WHERE invoice_number IS NOT NULL ORDER BY 1""")
            .stream()
            .map(r -> ((Number) r.get(0)).longValue())
            .toList();
    assertTrue(all.size() >= 4 * ACCOUNTS, "both sets' March and April: " + all);
    assertEquals(LongStream.rangeClosed(1, all.size()).boxed().toList(), all);
  }

  // what is compared: every column but ids and numbers, the account's prefix cut off

  private static List<String> invoices(String prefix) {
    return strings(
        """
        SELECT substr(user_id, 3), period_start, period_end, status, currency, subtotal,
               credits_applied, total, finalized_at, due_at, paid_at
        FROM billing_invoices WHERE user_id LIKE ? ORDER BY 1, 2""",
        prefix);
  }

  private static List<String> lines(String prefix) {
    return strings(
        """
        SELECT substr(i.user_id, 3), i.period_start, l.line_no, l.kind, l.description,
               l.resource_type, l.quantity, l.unit, l.unit_price, l.amount, l.period_start,
               l.period_end
        FROM billing_invoice_lines l JOIN billing_invoices i ON i.id = l.invoice_id
        WHERE i.user_id LIKE ? ORDER BY 1, 2, 3""",
        prefix);
  }

  private static List<String> credits(String prefix) {
    return strings(
        """
        SELECT substr(i.user_id, 3), i.period_start, c.reason, c.amount, a.amount, a.applied_at,
               c.remaining
        FROM billing_credit_applications a
        JOIN billing_invoices i ON i.id = a.invoice_id
        JOIN billing_credits c ON c.id = a.credit_id
        WHERE i.user_id LIKE ? ORDER BY 1, 2, a.id""",
        prefix);
  }

  private static List<String> parts(String prefix) {
    return strings(
        """
        SELECT substr(i.user_id, 3), i.period_start, m.line_no, substr(m.user_id, 3),
               m.quantity, m.amount
        FROM billing_invoice_member_amounts m JOIN billing_invoices i ON i.id = m.invoice_id
        WHERE i.user_id LIKE ? ORDER BY 1, 2, 3, 4 NULLS FIRST""",
        prefix);
  }

  /** How many records, and which pack charges, each invoice claimed. */
  private static List<String> claimed(String prefix) {
    return strings(
        """
        SELECT substr(i.user_id, 3), i.period_start,
               (SELECT count(*) FROM billing_usage_billed r WHERE r.invoice_id = i.id),
               (SELECT string_agg(e.at || ' ' || e.amount, ', ' ORDER BY e.at)
                FROM billing_pack_events e WHERE e.invoice_id = i.id)
        FROM billing_invoices i WHERE i.user_id LIKE ? ORDER BY 1, 2""",
        prefix);
  }

  private static List<String> strings(String sql, String prefix) {
    return rows(sql, prefix + "%").stream().map(Object::toString).toList();
  }

  // the script

  /** One thing done to an account at an instant, played for each prefix in turn. */
  private record Step(Instant at, Consumer<String> action) {}

  private void play(Step step) {
    billing.clock.set(step.at());
    step.action().accept("a-");
    step.action().accept("b-");
    billing.flush();
  }

  /** The seeded script of {@link #ACCOUNTS} accounts (class comment). */
  private final class Script {

    private final Random random;
    private final List<Step> steps = new ArrayList<>();
    private int ids;

    Script(long seed) {
      random = new Random(seed);
    }

    List<Step> steps() {
      for (int k = 0; k < ACCOUNTS; k++) {
        // the first two always a team and a personal account with packs and credits, so that
        // every seed compares them
        boolean team = k == 0 || (k > 1 && random.nextInt(3) == 0);
        String currency = k > 1 && random.nextInt(3) == 0 ? "VND" : "USD";
        String plan = random.nextBoolean() ? "small" : "large";
        if (team) {
          team("o" + k, currency, plan);
        } else {
          personal("u" + k, currency, plan, k == 1);
        }
      }
      steps.sort((x, y) -> x.at().compareTo(y.at())); // stable: one instant keeps script order
      return steps;
    }

    private void team(String org, String currency, String plan) {
      String owner = org + "-owner";
      step(
          "2026-02-20T00:00:00Z",
          p -> {
            OrgFixtures.opened(
                billing, p + org, "Org", p + owner, currency, plan, "2026-02-20T00:00:00Z");
          });
      List<String> members = new ArrayList<>(List.of(owner));
      int more = 1 + random.nextInt(4);
      for (int m = 0; m < more; m++) {
        String member = org + "-m" + m;
        members.add(member);
        Instant joined = march();
        String role = random.nextBoolean() ? "member" : "admin";
        step(joined, p -> OrgFixtures.added(p + org, p + member, role, joined.toString()));
        if (random.nextInt(3) == 0) {
          Instant left = between(joined, at(APRIL));
          step(left, p -> OrgFixtures.removed(p + org, p + member, left.toString()));
        }
      }
      for (String member : members) {
        sessions(member, org);
        reports(member, org);
      }
      credits(org, currency);
    }

    private void personal(String user, String currency, String plan, boolean packs) {
      step(
          "2026-02-20T00:00:00Z",
          p -> billing.userCreated(p + user, Map.of("currency", currency, "plan", plan)));
      sessions(user, null);
      reports(user, null);
      if (packs || random.nextInt(3) == 0) {
        Instant bought = march();
        step(bought, p -> post(p + user, "/packs/slots-5/purchase"));
        step(bought.plusSeconds(1), p -> post(p + user, "/packs/storage-10/purchase"));
      }
      if (random.nextInt(3) == 0) {
        String other = plan.equals("small") ? "large" : "small";
        step(
            march(),
            p -> {
              Answer changed =
                  billing.call(
                      HttpMethod.PUT,
                      "/subscription",
                      user(p + user),
                      "{\"plan_id\": \"" + other + "\"}");
              assertEquals(200, changed.status(), changed.body().toString());
            });
      }
      if (packs) {
        credit(user, currency.equals("USD") ? "3.00" : "30000", "welcome");
        credit(user, "500000", "larger than any invoice");
      } else {
        credits(user, currency);
      }
    }

    /** 0 to 3 sessions in March, some with storage; one in four reported late (in April). */
    private void sessions(String user, String org) {
      int count = random.nextInt(4);
      for (int s = 0; s < count; s++) {
        String session = "s" + ids++;
        Instant from = march().minusSeconds(3 * 86_400L);
        Instant to = from.plusSeconds(60 + random.nextInt(20 * 3_600));
        String cores = String.valueOf(1 + random.nextInt(12));
        String memory = String.valueOf(1 + random.nextInt(16));
        String storage = random.nextInt(4) == 0 ? String.valueOf(1 + random.nextInt(20)) : "0";
        ResourceSize held =
            new ResourceSize(
                new BigDecimal(cores),
                new BigDecimal(memory),
                new BigDecimal(storage),
                Map.of("gpu", BigDecimal.valueOf(random.nextInt(3))));
        boolean late = random.nextInt(4) == 0;
        // a late session's events arrive on April 2nd, after March was invoiced: its March
        // records go on April's invoice
        Instant delivered = late ? at("2026-04-02T00:00:00Z") : from;
        step(
            delivered,
            p -> {
              if (org == null) {
                billing.session(p + session, p + user, from.toString(), to.toString(), held);
              } else {
                OrgFixtures.session(
                    billing, p + org, p + session, p + user, from.toString(), to.toString(), held);
              }
            });
      }
    }

    /** 0 to 3 reports of GPU minutes, in March, one in five in April. */
    private void reports(String user, String org) {
      int count = random.nextInt(4);
      for (int r = 0; r < count; r++) {
        String id = "r" + ids++;
        Instant occurred =
            random.nextInt(5) == 0 ? at(APRIL).plusSeconds(random.nextInt(86_400)) : march();
        BigDecimal quantity = BigDecimal.valueOf(1 + random.nextInt(4_000), 1);
        step(
            occurred,
            p ->
                billing.billing.onUsageReported(
                    billing.context,
                    new UsageReport(
                        p + id,
                        occurred,
                        p + user,
                        "gpu_minutes",
                        quantity,
                        null,
                        org == null ? null : p + org)));
      }
    }

    private void credits(String account, String currency) {
      if (random.nextBoolean()) {
        String amount = random.nextBoolean() ? "1.00" : "2.50";
        credit(account, currency.equals("USD") ? amount : amount.replace(".", ""), "goodwill");
      }
    }

    private void credit(String account, String amount, String reason) {
      step(
          march(),
          p -> {
            Answer granted =
                billing.call(
                    HttpMethod.POST,
                    "/admin/credits",
                    admin("root"),
                    "{\"user_id\": \"%s\", \"amount\": %s, \"reason\": \"%s\"}"
                        .formatted(p + account, amount, reason));
            assertEquals(201, granted.status(), granted.body().toString());
          });
    }

    private void post(String user, String path) {
      Answer answer = billing.call(HttpMethod.POST, path, user(user), "{}");
      assertTrue(answer.status() == 200 || answer.status() == 201, answer.toString());
    }

    /** An instant of March after its first three days, to the second. */
    private Instant march() {
      return between(at("2026-03-04T00:00:00Z"), at("2026-03-31T00:00:00Z"));
    }

    private Instant between(Instant from, Instant to) {
      return from.plusSeconds(
          1 + (long) (random.nextDouble() * (Duration.between(from, to).getSeconds() - 2)));
    }

    private void step(String at, Consumer<String> action) {
      step(Instant.parse(at), action);
    }

    private void step(Instant at, Consumer<String> action) {
      steps.add(new Step(at, action));
    }
  }
}
