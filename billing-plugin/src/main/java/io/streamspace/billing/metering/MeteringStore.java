package io.streamspace.billing.metering;

import io.streamspace.billing.account.OpeningTerms;
import io.streamspace.billing.account.OpeningTerms.PricedPlan;
import io.streamspace.billing.account.OrgEventRefusals;
import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.credits.Credit;
import io.streamspace.billing.credits.FaultCredits;
import io.streamspace.billing.events.MembershipRefused;
import io.streamspace.billing.metering.AccountOpeningRepository.Adoption;
import io.streamspace.billing.metering.MeteringBatch.AccountRow;
import io.streamspace.billing.metering.MeteringBatch.SessionRow;
import io.streamspace.billing.prepaid.Reservations;
import io.streamspace.billing.reserve.LimitReservations;
import io.streamspace.billing.trials.Trials;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores a {@link MeteringBatch} in one transaction with one statement per kind of row. Each
 * statement applies the batch's merges against what is stored (insert-if-absent, least/greatest),
 * so storing the same batch twice changes nothing. The accounts open on the terms {@link
 * OpeningTerms} gives under the config in effect; {@link AccountOpeningRepository} and {@link
 * SessionRepository} hold the statements, run here in an order that takes row locks as
 * calculate-usage does (sessions, then accounts), so the two never deadlock on them. A session
 * whose end the batch stores gives back what admission reserved for it of a prepaid balance
 * ({@link Reservations#releaseEnded}), and its reservations against the spending limit and the
 * member's caps ({@link LimitReservations#releaseEnded}), in the same transaction; a session a
 * platform fault ended is credited there too, once ({@link FaultCredits}).
 */
public final class MeteringStore {

  private static final Logger log = LoggerFactory.getLogger(MeteringStore.class);

  private final DataSource dataSource;
  private final Supplier<BillingConfig> config;
  private final AccountOpeningRepository accounts = new AccountOpeningRepository();
  private final SessionRepository sessions = new SessionRepository();
  private final OrganizationRepository organizations = new OrganizationRepository();
  private final Consumer<MembershipRefused> refusals;
  private final Clock clock;
  private final Consumer<Credit> creditGranted;

  /** @param config the config in effect, for the terms of the plans new accounts start on */
  public MeteringStore(DataSource dataSource, Supplier<BillingConfig> config) {
    this(dataSource, config, refused -> {});
  }

  /**
   * A store that tells no one of refusals and fault credits, its credits granted at the system
   * clock's instant.
   */
  public MeteringStore(
      DataSource dataSource, Supplier<BillingConfig> config, Consumer<MembershipRefused> refusals) {
    this(dataSource, config, refusals, Clock.systemUTC(), credit -> {});
  }

  /**
   * @param config   the config in effect, for the terms of the plans new accounts start on
   * @param refusals told of each organization event a write first refused (or whose refusal it
   *                 lifted), once it committed ({@link OrgEventRefusals}): the plugin publishes
   *                 it
   * @param clock         when a fault credit is granted
   * @param creditGranted told of each fault credit granted ({@link FaultCredits}), once it
   *                      committed: the plugin publishes it as {@code billing.credit.granted}
   */
  public MeteringStore(
      DataSource dataSource,
      Supplier<BillingConfig> config,
      Consumer<MembershipRefused> refusals,
      Clock clock,
      Consumer<Credit> creditGranted) {
    this.dataSource = dataSource;
    this.config = config;
    this.refusals = refusals;
    this.clock = clock;
    this.creditGranted = creditGranted;
  }

  /** Writes the batch atomically: all of it or, on failure, nothing. */
  public void write(MeteringBatch batch) throws SQLException {
    BillingConfig current = config.get();
    OpeningTerms terms = new OpeningTerms(current);
    List<AccountRow> opening = onKnownTerms(batch.accounts(), terms);
    // the rows of a user.created or org.created, which set their account's terms
    List<AccountRow> onTheirTerms =
        opening.stream().filter(a -> a.userCreatedAt() != null).toList();
    List<PricedPlan> plans = terms.pricedPlans();
    List<MembershipRefused> refused = new ArrayList<>(); // once committed, told
    Map<String, Instant> ended = new HashMap<>();
    List<String> mayBeCredited = new ArrayList<>(); // a terminate or session.created in the batch
    for (SessionRow session : batch.sessions()) {
      if (session.endedAt() != null) {
        ended.put(session.sessionId(), session.endedAt());
      }
      if (session.endedAt() != null || session.created()) {
        mayBeCredited.add(session.sessionId());
      }
    }
    List<FaultCredits.Granted> credited = new ArrayList<>(); // once committed, told
    Instant now = clock.instant();
    Transactions.inTransaction(
        dataSource,
        connection -> {
          // before any row lock: see AccountTermsLock
          boolean adopting = accounts.awaitingTerms(connection, onTheirTerms);
          // before the rows that refer to them
          List<String> opened = accounts.open(connection, opening, plans);
          // after the opening: a user's personal account this batch opens counts too
          organizations.refuseUsersIds(connection, batch.createdOrganizations());
          sessions.upsertSessions(connection, batch.sessions());
          sessions.insertSizes(connection, batch.sizes());
          sessions.insertHeld(connection, batch.held());
          sessions.insertActivity(connection, batch.activity());
          sessions.resumeHibernated(connection, batch.activity());
          sessions.insertStorageLevels(connection, batch.storageLevels());
          sessions.moveStorageLevels(connection, batch.createdSessions());
          sessions.insertUsageReports(connection, batch.usageReports());
          List<AuditEntry> billingRoles = organizations.insertEvents(connection, batch.orgEvents());
          // every organization the batch has events of: the last Owner kept (OwnershipRule)
          refused.addAll(OrgEventRefusals.decide(connection, batch.organizationsWithEvents()));
          // after the session rows: these lock (rarely) account rows after session rows, as
          // calculate-usage does
          accounts.completeEmails(connection, opening);
          accounts.startEarlier(connection, opening);
          List<Adoption> adoptions =
              adopting ? accounts.adoptTerms(connection, onTheirTerms, plans) : List.of();
          logIgnored(adoptions);
          // those opened on a plan with trial days, or that took one now, begin its trial
          adoptions.stream().filter(Adoption::adopted).forEach(a -> opened.add(a.orgId()));
          Trials.beginOpened(connection, opened, current.subscriptionPlans());
          // after the events are kept and the accounts opened: whichever came first
          organizations.closeDeleted(connection, batch.organizations());
          // after the account rows, as finalization locks balances after its accounts
          Reservations.releaseEnded(connection, ended);
          LimitReservations.releaseEnded(connection, ended);
          // after the sessions' ends and sizes are stored, their rows locked by this writer
          credited.addAll(
              FaultCredits.decide(
                  connection,
                  mayBeCredited,
                  onTheirTerms.stream().map(AccountRow::orgId).toList(),
                  current,
                  now));
          // last: after every account row lock, as finalization takes the chains' heads
          List<AuditEntry> entries = new ArrayList<>(billingRoles);
          credited.forEach(c -> entries.add(c.entry()));
          AuditTrail.recordAll(connection, entries);
          return null;
        });
    refused.forEach(refusals);
    credited.forEach(c -> creditGranted.accept(c.credit()));
  }

  /**
   * Stores the sessions, sizes, held amounts, activity, storage levels and usage reports of a
   * batch of events a correction backfills, in the caller's transaction, merged as any batch's
   * are (storing them twice changes nothing). Their accounts exist (the correction checked):
   * none is opened, and nothing else a flush does (fault credits, reservations) is done, for
   * events older than any of it.
   */
  public void storeBackfilled(Connection connection, MeteringBatch batch) throws SQLException {
    sessions.upsertSessions(connection, batch.sessions());
    sessions.insertSizes(connection, batch.sizes());
    sessions.insertHeld(connection, batch.held());
    sessions.insertActivity(connection, batch.activity());
    sessions.insertStorageLevels(connection, batch.storageLevels());
    sessions.moveStorageLevels(connection, batch.createdSessions());
    sessions.insertUsageReports(connection, batch.usageReports());
  }

  /**
   * The rows with a plan or currency removed from the config since the event was queued on the
   * default plan, in the default currency.
   */
  private static List<AccountRow> onKnownTerms(List<AccountRow> accounts, OpeningTerms terms) {
    return accounts.stream()
        .map(
            a ->
                new AccountRow(
                    a.orgId(),
                    a.email(),
                    terms.currency(a.currency()),
                    terms.plan(a.planId()),
                    a.createdAt(),
                    a.userCreatedAt(),
                    a.personal(),
                    a.name()))
        .toList();
  }

  /** Logs each user.created or org.created whose terms the account did not take, and why. */
  private static void logIgnored(List<Adoption> adoptions) {
    for (Adoption adoption : adoptions) {
      if (adoption.ignored()) {
        log.warn(
            "{} of {} arrived after a session event opened its account: "
                + "its {} on plan {} ignored, the account keeps {} on plan {}, as {}",
            adoption.event(),
            adoption.orgId(),
            adoption.currency(),
            adoption.planId(),
            adoption.openedCurrency(),
            adoption.openedPlan(),
            adoption.why());
      }
    }
  }
}
