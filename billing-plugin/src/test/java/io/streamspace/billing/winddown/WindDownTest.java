package io.streamspace.billing.winddown;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.BillingConfigParser;
import io.streamspace.billing.config.CronValidator;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.hold.AccountHolds;
import io.streamspace.billing.invoicing.InvoiceCalculator;
import io.streamspace.billing.live.BalanceSource;
import io.streamspace.billing.live.LiveCosts;
import io.streamspace.billing.prepaid.PrepaidLedger;
import io.streamspace.billing.spend.SpendingLimits;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.billing.support.TestPluginContext;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The wind-down, on real PostgreSQL at the default rates (0.05 a core-hour, 0.01 a GB-hour):
 * ann's organization is on the prepaid plan "Pay as you go" and runs 2 cores and 4 GB from 12:00,
 * 0.14 an hour, from a balance of 0.10 an admin granted. Live cost's total is its invoice lines,
 * each rounded: at 12:30 cpu 0.05 and memory 0.02, 0.03 left, a runway of 771 s; at 12:34 cpu
 * 0.06 (0.0567) and memory 0.02 (0.0227), 0.02 left: 514 s, under warnMinutes' 600; at 12:45 cpu
 * 0.08 (0.075) and memory 0.03, 0.01 past the balance: a runway of 0.
 */
class WindDownTest {

  private static final String CONFIG =
      """
      {"subscriptionPlans": [
         {"id": "free", "name": "Hobby", "price": 0, "interval": "month"},
         {"id": "payg", "name": "Pay as you go", "price": 0, "interval": "month",
          "prepaid": true}]}""";
  private static final String CHECK_BALANCES = "check-balances";

  private final BillingHarness billing = new BillingHarness(at("2026-03-10T12:00:00Z"), CONFIG);

  @AfterEach
  void unload() {
    billing.close();
  }

  /** ann on payg with {@code balance} granted, running {@code sessions} from 12:00. */
  private void annRuns(String balance, ResourceSize size, String... sessions) {
    billing.userCreated("ann", Map.of("plan", "payg"));
    for (String session : sessions) {
      billing.created("2026-03-10T12:00:00Z", session, "ann", size);
    }
    billing.flush();
    grant(balance);
  }

  private void grant(String amount) {
    BillingHarness.Answer granted = billing.grant("ann", amount);
    assertEquals(201, granted.status(), granted.body().toString());
  }

  /** A heartbeat of each session a minute before {@code time} (12:34), then check-balances. */
  private void checkAt(String time, String... sessions) {
    String at = "2026-03-10T" + time + ":00Z";
    for (String session : sessions) {
      billing.heartbeat(at(at).minusSeconds(60).toString(), session, "ann", null);
    }
    billing.runAt(CHECK_BALANCES, at);
  }

  @Test
  void aRunwayUnderWarnMinutesIsAnnouncedOnce_andAgainOnlyOnceItWasBackAboveAndFellAgain() {
    annRuns("0.10", size("2", "4", "0"), "s1");

    checkAt("12:30", "s1");
    List<String> at1230 = billing.published("billing.balance.low");
    checkAt("12:34", "s1");
    checkAt("12:35", "s1");
    List<String> after1235 = billing.published("billing.balance.low");
    // a top-up in time: 0.15 in all, 0.07 left at 12:36 (1,800 s); nothing was held
    billing.clock.set(at("2026-03-10T12:35:30Z"));
    grant("0.05");
    checkAt("12:36", "s1");
    checkAt("12:50", "s1"); // cpu 0.08, memory 0.03: 0.04 left, 1,028 s
    List<String> after1250 = billing.published("billing.balance.low");
    checkAt("12:56", "s1"); // cpu 0.09, memory 0.04: 0.02 left, 514 s

    assertEquals(List.of(), at1230, "771 s of runway is above 600");
    assertEquals(
        List.of(
            "{\"org_id\":\"ann\",\"currency\":\"USD\",\"balance\":0.02,\"runway_seconds\":514,"
                + "\"runway_at\":\"2026-03-10T12:42:34Z\",\"sessions\":[\"s1\"],"
                + "\"at\":\"2026-03-10T12:34:00Z\"}"),
        after1235,
        "once, though still low at 12:35");
    assertEquals(after1235, after1250, "back above at 12:36: no event, the episode ended");
    assertEquals(2, billing.published("billing.balance.low").size(), "fell again by 12:56");
    assertEquals(List.of(), billing.context.sessionControls(), "nothing suspended, nor resumed");
    assertEquals(List.of(), billing.published("billing.session.resumed"));
  }

  /**
   * ann runs s1 and s2 (1 core and 2 GB each, the same 0.14 an hour). At 12:45 the balance is
   * spent: check-balances, twice, and another node's at once, suspend each session once with a
   * snapshot, announce it once, and admission refuses a third session. A grant at 13:00 resumes
   * them at once, before any check.
   */
  @Test
  void atZeroTheSessionsAreSuspendedOnceWithASnapshot_andAGrantResumesThem() throws SQLException {
    annRuns("0.10", size("1", "2", "0"), "s1", "s2");
    TestPluginContext otherHost = new TestPluginContext(billing.clock);
    WindDown otherNode = windDownOn(otherHost);

    checkAt("12:45", "s1", "s2");
    checkAt("12:45", "s1", "s2");
    otherNode.check(AccountHolds.BY_BILLING);
    AdmissionDecision third =
        billing.billing.admit(new AdmissionRequest("ann", "s3", size("1", "2", "0")));
    List<String> suspended = billing.context.sessionControls();
    billing.clock.set(at("2026-03-10T13:00:00Z"));
    grant("1.00");

    assertEquals(
        List.of(
            "suspend s1: snapshot: " + WindDown.SPENT, "suspend s2: snapshot: " + WindDown.SPENT),
        suspended);
    assertEquals(List.of(), otherHost.sessionControls(), "the other node found it held");
    assertEquals(List.of(), otherHost.published());
    List<String> announced = billing.published("billing.session.suspended");
    assertEquals(1, announced.size(), announced.toString());
    assertEquals(
        "{\"user_id\":\"ann\",\"org_id\":\"ann\",\"reason\":\"balance_exhausted\",\"detail\":\""
            + WindDown.SPENT
            + "\",\"placed_at\":\"2026-03-10T12:45:00Z\",\"lifted_at\":null,\"lifted_by\":null,"
            + "\"note\":null,\"sessions\":[\"s1\",\"s2\"]}",
        announced.get(0));
    assertFalse(third.allowed());
    assertEquals("insufficient_balance", third.code());
    assertEquals(
        List.of("resume s1", "resume s2"),
        billing.context.sessionControls().subList(2, billing.context.sessionControls().size()));
    assertEquals(
        List.of(
            "{\"user_id\":\"ann\",\"org_id\":\"ann\",\"reason\":\"balance_exhausted\",\"detail\":\""
                + WindDown.SPENT
                + "\",\"placed_at\":\"2026-03-10T12:45:00Z\",\"lifted_at\":\"2026-03-10T13:00:00Z\","
                + "\"lifted_by\":\"billing\",\"note\":null,\"sessions\":[\"s1\",\"s2\"]}"),
        billing.published("billing.session.resumed"));
  }

  /**
   * A low-balance episode whose node stopped between its insert and the publish (the row left
   * without published_at) is announced by the next check, with the figures it was found low by,
   * and recorded as announced: once.
   */
  @Test
  void anEpisodeLeftUnannouncedByAStoppedNodeIsAnnouncedByTheNextCheck_once() {
    annRuns("0.10", size("2", "4", "0"), "s1");
    rows(
        """
        INSERT INTO billing_balance_low (org_id, currency, balance, runway_seconds, warned_at)
        VALUES ('ann', 'USD', 0.02, 514, '2026-03-10T12:34:00Z') RETURNING id""");

    checkAt("12:35", "s1");
    checkAt("12:36", "s1");

    assertEquals(
        List.of(
            "{\"org_id\":\"ann\",\"currency\":\"USD\",\"balance\":0.02,\"runway_seconds\":514,"
                + "\"runway_at\":\"2026-03-10T12:42:34Z\",\"sessions\":[\"s1\"],"
                + "\"at\":\"2026-03-10T12:34:00Z\"}"),
        billing.published("billing.balance.low"));
    assertEquals(
        List.of(List.of(1L, 1L)),
        rows(
            """
            SELECT count(*), count(*) FILTER (WHERE published_at = '2026-03-10T12:35:00Z')
            FROM billing_balance_low"""));
  }

  /**
   * Money that arrives after check-balances read the balance spent, and before it holds the
   * organization, stops the hold: a grant of 1.00 commits from inside the other node's live read
   * at 12:45 (its own news of the money finds no hold to lift), and that node, finding the
   * ledger moved under the balance's lock, holds nothing and suspends nothing.
   */
  @Test
  void moneyArrivingBetweenTheLiveReadAndTheHold_leavesTheSessionsRunning() throws SQLException {
    annRuns("0.10", size("2", "4", "0"), "s1");
    AtomicBoolean granted = new AtomicBoolean();
    TestPluginContext otherHost = new TestPluginContext(billing.clock);
    WindDown otherNode =
        windDownOn(
            otherHost,
            () -> {
              if (granted.compareAndSet(false, true)) {
                grant("1.00");
              }
            });
    billing.heartbeat("2026-03-10T12:44:00Z", "s1", "ann", null);
    billing.flush();
    billing.clock.set(at("2026-03-10T12:45:00Z"));

    WindDown.Checked checked = otherNode.check(AccountHolds.BY_BILLING);

    assertEquals(true, granted.get(), "the grant was made inside the live read");
    assertEquals(0, checked.suspended());
    assertEquals(List.of(), otherHost.sessionControls());
    assertEquals(List.of(), billing.context.sessionControls());
    assertEquals(0L, BillingHarness.value("SELECT count(*) FROM billing_account_holds"));
  }

  /**
   * A session of 2 cores, 4 GB and 10 GB of storage runs 12:00-13:00, its organization held for
   * its spent balance 12:20-12:40: rating bills 40 minutes of cpu (4,800 core-seconds) and memory
   * (9,600 GB-seconds), and the storage for all 60 (36,000 GB-seconds). Live cost had said the
   * same before the rating: cpu 0.07 (0.0667), memory 0.03 (0.0267), storage 0.00, 0.10 (not the
   * 0.14 of the whole hour).
   */
  @Test
  void whileSuspendedASessionIsBilledForStorageOnly() {
    billing.userCreated("ann", Map.of("plan", "payg"));
    billing.created("2026-03-10T12:00:00Z", "s1", "ann", size("2", "4", "10"));
    billing.terminated("2026-03-10T13:00:00Z", "s1", "ann");
    billing.flush();
    BillingHarness.rows(
        """
        INSERT INTO billing_account_holds (user_id, reason, detail, placed_at, lifted_at, lifted_by)
        VALUES ('ann', 'balance_exhausted', 'spent', '2026-03-10T12:20:00Z',
                '2026-03-10T12:40:00Z', 'billing') RETURNING id""");
    billing.clock.set(at("2026-03-10T13:00:00Z"));
    BigDecimal liveTotal =
        billing.call(HttpMethod.GET, "/live", user("ann")).body().get("total").decimalValue();

    billing.calculateUsageAt("2026-03-10T13:30:00Z");

    assertEquals(new BigDecimal("0.10"), liveTotal);
    assertEquals(
        List.of(List.of("cpu", 4800), List.of("memory", 9600), List.of("storage", 36000)),
        rows(
            """
            SELECT resource_type, sum(unit_seconds)::int FROM billing_usage_records
            WHERE user_id = 'ann' GROUP BY resource_type ORDER BY resource_type"""));
    billing.clock.advance(Duration.ofSeconds(1));
    assertEquals(
        liveTotal,
        billing.call(HttpMethod.GET, "/live", user("ann")).body().get("total").decimalValue(),
        "rated, the same to the cent");
  }

  /** A second node's wind-down on the same database, publishing on {@code host}. */
  private WindDown windDownOn(TestPluginContext host) {
    return windDownOn(host, () -> {});
  }

  /**
   * A second node's wind-down on the same database, publishing on {@code host}, whose live cost
   * runs {@code afterBalanceRead} each time it has read the prepaid balance.
   */
  private WindDown windDownOn(TestPluginContext host, Runnable afterBalanceRead) {
    DataSource dataSource = TestDatabase.dataSource();
    BillingConfig config =
        new BillingConfigParser(CronValidator.fiveFields()).parse(CONFIG).config();
    Supplier<BillingConfig> configs = () -> config;
    BillingEvents events = new BillingEvents(host.events());
    AccountHolds holds = new AccountHolds(dataSource, events, host.sessions(), billing.clock);
    InvoiceCalculator calculator = new InvoiceCalculator(dataSource, configs);
    PrepaidLedger ledger = new PrepaidLedger(dataSource);
    LiveCosts live =
        new LiveCosts(
            dataSource,
            calculator,
            new SpendingLimits(
                dataSource,
                calculator,
                new AccountRepository(dataSource),
                holds,
                events,
                configs,
                billing.clock),
            (orgId, currency, periodStart, previousStart) -> {
              Optional<BalanceSource.Held> read =
                  ledger
                      .inPeriod(orgId, currency, periodStart, previousStart)
                      .map(
                          held ->
                              new BalanceSource.Held(
                                  held.balance(), held.burned(), held.burnedBefore()));
              afterBalanceRead.run();
              return read;
            },
            (orgId, currency) -> List.of(),
            configs,
            billing.clock);
    return new WindDown(dataSource, live, holds, events, configs, billing.clock);
  }
}
