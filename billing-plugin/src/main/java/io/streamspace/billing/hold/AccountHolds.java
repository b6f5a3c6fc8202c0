package io.streamspace.billing.hold;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.common.db.Transactions;
import io.streamspace.plugin.api.session.SessionControl;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places and lifts holds on accounts, and acts on them: while an account has any hold, its running
 * sessions are suspended through the host's {@link SessionControl} and admission refuses new ones
 * ({@link #reasonsOf}, from memory); once its last hold is lifted, its sessions resume. Placing and
 * lifting are each announced once ({@link HoldReason#placedEvent}, {@link
 * HoldReason#liftedEvent}): only the call whose write made the change publishes and acts, so two
 * nodes or a re-run never do it twice. The event is published after the commit: a crash in
 * between loses that one event. Suspending and resuming are idempotent on the host, so {@link
 * #enforce} redoes what a crash or a failing host left undone: it suspends the sessions of every
 * held account again (and a session that shows up later, as {@link #sessionStarted}), and
 * resumes those of an account whose lift was not followed by its resume.
 */
public final class AccountHolds {

  private static final Logger log = LoggerFactory.getLogger(AccountHolds.class);

  /** Who lifted a hold the plugin lifted by itself (paid, back within limits...). */
  public static final String LIFTED_BY_BILLING = "billing";

  /**
   * The audit trail's cause of a hold the plugin's own rules place or lift outside a job's run
   * (an invoice paid, a plan changed, a spending limit removed): the plugin, named as holds name
   * who lifted them, {@value #LIFTED_BY_BILLING}. What check-quotas places or lifts names its run
   * instead: the job, or the admin who started it by hand.
   */
  public static final Cause BY_BILLING = Cause.job(LIFTED_BY_BILLING);

  private final DataSource dataSource;
  private final BillingEvents events;
  private final SessionControl sessions;
  private final Clock clock;
  private final HeldAccounts held = new HeldAccounts();

  public AccountHolds(
      DataSource dataSource, BillingEvents events, SessionControl sessions, Clock clock) {
    this.dataSource = dataSource;
    this.events = events;
    this.sessions = sessions;
    this.clock = clock;
  }

  /**
   * Holds the account for {@code reason} unless it already is: its sessions are suspended with
   * {@code detail} as the reason the user sees.
   *
   * @return the hold when this call placed it
   */
  public Optional<Hold> place(String orgId, HoldReason reason, String detail) throws SQLException {
    return place(orgId, reason, detail, connection -> true);
  }

  /**
   * Work done first in the transaction that places or lifts a hold: the hold changes only when
   * it answers true. It checks that the change is still due, under the row locks it takes (so a
   * concurrent change of what it reads waits for the hold, or the hold for it), and may write
   * what goes with the change, committed or rolled back with it.
   */
  @FunctionalInterface
  public interface First {
    boolean proceed(Connection connection) throws SQLException;
  }

  /** {@link #place(String, HoldReason, String)} when {@code first} answers true, in one go. */
  public Optional<Hold> place(String orgId, HoldReason reason, String detail, First first)
      throws SQLException {
    return place(orgId, reason, detail, first, BY_BILLING);
  }

  /**
   * {@link #place(String, HoldReason, String, First)} with the audit trail's {@code cause}: the
   * job run that placed it.
   */
  public Optional<Hold> place(
      String orgId, HoldReason reason, String detail, First first, Cause cause)
      throws SQLException {
    Change change =
        changeOnce(
            orgId,
            first,
            (connection, now) -> HoldStore.place(connection, orgId, reason, detail, now),
            cause);
    if (change == null) {
      return Optional.empty();
    }
    held.changed(orgId, change.holds());
    events.accountHoldChanged(reason.placedEvent(), change.hold().event(change.sessions()));
    String suspension = reason.suspension(detail);
    control(change.sessions(), session -> sessions.suspend(session, suspension));
    return Optional.of(change.hold());
  }

  /**
   * Lifts the account's hold of {@code reason}, if it has one; its sessions resume when no other
   * hold is left.
   *
   * @param liftedBy {@link #LIFTED_BY_BILLING}, or the admin who lifts it by hand
   * @param note why (required of an admin); null when the plugin lifts it
   * @return the hold when this call lifted it
   */
  public Optional<Hold> lift(String orgId, HoldReason reason, String liftedBy, String note)
      throws SQLException {
    return lift(orgId, reason, liftedBy, note, connection -> true);
  }

  /** {@link #lift(String, HoldReason, String, String)} when {@code first} answers true. */
  public Optional<Hold> lift(
      String orgId, HoldReason reason, String liftedBy, String note, First first)
      throws SQLException {
    return lift(orgId, reason, liftedBy, note, first, BY_BILLING);
  }

  /**
   * {@link #lift(String, HoldReason, String, String, First)} with the audit trail's {@code
   * cause}: an admin's (reason and request), or the job run that lifted it.
   */
  public Optional<Hold> lift(
      String orgId, HoldReason reason, String liftedBy, String note, First first, Cause cause)
      throws SQLException {
    Change change =
        changeOnce(
            orgId,
            first,
            (connection, now) -> HoldStore.lift(connection, orgId, reason, liftedBy, note, now),
            cause);
    if (change == null) {
      return Optional.empty();
    }
    held.changed(orgId, change.holds());
    events.accountHoldChanged(reason.liftedEvent(), change.hold().event(change.sessions()));
    // still held: left to enforce, which marks it done or, if the others were lifted meanwhile
    // (each lift saw the other still on), resumes
    if (change.holds().isEmpty() && control(change.sessions(), sessions::resume)) {
      try (Connection connection = dataSource.getConnection()) {
        HoldStore.sessionsDone(connection, List.of(change.hold().id()), clock.instant());
      } catch (SQLException e) {
        log.warn("account {}: resumed, not marked so; check-quotas resumes again", orgId, e);
      }
    }
    return Optional.of(change.hold());
  }

  /** The note of the holds an organization's closing released. */
  public static final String RELEASED_AT_CLOSING = "the organization was closed";

  /**
   * Releases the holds of every organization closed by now (org.deleted): each is lifted as
   * the plugin lifts one ({@link #lift}, by {@value #LIFTED_BY_BILLING}, noted {@value
   * #RELEASED_AT_CLOSING}), with its event published once; a closed organization is never held
   * again ({@link HoldStore#place} refuses it). Run by check-quotas, whose run is the {@code
   * cause} the audit trail keeps.
   *
   * @return how many holds it released
   */
  public int releaseClosed(Cause cause) throws SQLException {
    Map<String, List<HoldReason>> closed;
    try (Connection connection = dataSource.getConnection()) {
      closed = HoldStore.activeOfClosed(connection, clock.instant());
    }
    int released = 0;
    for (Map.Entry<String, List<HoldReason>> account : closed.entrySet()) {
      for (HoldReason reason : account.getValue()) {
        if (lift(
                account.getKey(),
                reason,
                LIFTED_BY_BILLING,
                RELEASED_AT_CLOSING,
                connection -> true,
                cause)
            .isPresent()) {
          released++;
        }
      }
    }
    return released;
  }

  /** The account's active hold of that reason, read from the database (exact across nodes). */
  public Optional<Hold> active(String orgId, HoldReason reason) throws SQLException {
    return active(orgId).stream().filter(hold -> hold.reason() == reason).findFirst();
  }

  /** The accounts held for {@code reason}, read from the database. */
  public Set<String> accountsHeld(HoldReason reason) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return HoldStore.activeByAccount(connection).entrySet().stream()
          .filter(account -> account.getValue().containsKey(reason))
          .map(Map.Entry::getKey)
          .collect(Collectors.toSet());
    }
  }

  /** The account's active holds, oldest first. */
  public List<Hold> active(String orgId) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return HoldStore.active(connection, orgId);
    }
  }

  /**
   * What the account is held for first ({@link HoldReason} order), from memory, so admission
   * needs no database round trip; empty when it is not held. Current for holds this node changed,
   * and for other nodes' after the next {@link #reload}.
   */
  public Optional<HeldFor> heldFor(String orgId) {
    return held.of(orgId).entrySet().stream()
        .findFirst()
        .map(first -> new HeldFor(first.getKey(), first.getValue()));
  }

  /** The first reason an account is held for, and its detail. */
  public record HeldFor(HoldReason reason, String detail) {}

  /** Takes the holds other nodes placed or lifted from the database into memory. */
  public void reload() throws SQLException {
    long mark = held.mark();
    Map<String, Map<HoldReason, String>> stored;
    try (Connection connection = dataSource.getConnection()) {
      stored = HoldStore.activeByAccount(connection);
    }
    held.reload(stored, mark);
  }

  /**
   * A session started on a held account (the platform started it anyway, or admission answered
   * before the hold): it is metered as any other, and suspended at once. A host that fails to
   * suspend it never fails the event (it is a fact, and metered): check-quotas suspends it again.
   */
  public void sessionStarted(String orgId, String sessionId) {
    heldFor(orgId)
        .ifPresent(
            hold -> {
              String suspension = hold.reason().suspension(hold.detail());
              control(List.of(sessionId), s -> sessions.suspend(s, suspension));
            });
  }

  /**
   * Redoes what a crash or a failing host may have left undone after a change committed: resumes
   * the open sessions of every account whose holds were all lifted without its sessions resumed,
   * then suspends again every open session of every held account (those that started while the
   * hold was being placed, or on a node that did not know of it yet). Idempotent.
   *
   * @return how many held accounts it went through
   */
  public int enforce() throws SQLException {
    int accounts = 0;
    try (Connection connection = dataSource.getConnection()) {
      for (Map.Entry<String, List<Long>> lifted :
          HoldStore.notResumed(connection, clock.instant()).entrySet()) {
        if (control(HoldStore.openSessions(connection, lifted.getKey()), sessions::resume)) {
          HoldStore.sessionsDone(connection, lifted.getValue(), clock.instant());
        }
      }
      // read after the resumes, so a hold placed meanwhile has its sessions suspended again
      Map<String, Map<HoldReason, String>> held = HoldStore.activeByAccount(connection);
      // then their sessions: an account lifted in between has none listed, so none suspended
      Map<String, List<String>> open = HoldStore.openSessionsOfHeldAccounts(connection);
      for (Map.Entry<String, Map<HoldReason, String>> account : held.entrySet()) {
        // the first in HoldReason order
        Map.Entry<HoldReason, String> first = account.getValue().entrySet().iterator().next();
        String suspension = first.getKey().suspension(first.getValue());
        control(
            open.getOrDefault(account.getKey(), List.of()),
            session -> sessions.suspend(session, suspension));
        accounts++;
      }
    }
    return accounts;
  }

  /**
   * Tells the host to suspend or resume each session; a failure is logged and the next {@link
   * #enforce} tries again, as the change is made.
   *
   * @return whether the host took it for every session
   */
  private static boolean control(List<String> sessionIds, Consumer<String> action) {
    boolean done = true;
    for (String session : sessionIds) {
      try {
        action.accept(session);
      } catch (RuntimeException e) {
        log.warn("session {}: SessionControl failed; check-quotas tries again", session, e);
        done = false;
      }
    }
    return done;
  }

  /** Places or lifts a hold in a transaction: the hold it changed, or empty when none. */
  @FunctionalInterface
  private interface HoldWrite {
    Optional<Hold> apply(Connection connection, Instant now) throws SQLException;
  }

  /**
   * The change {@code write} made, in one transaction after {@code first} agreed, with the
   * account's holds and open sessions as they are then; null when nothing changed (another call
   * made it already, or it is no longer due).
   */
  private Change changeOnce(String orgId, First first, HoldWrite write, Cause cause)
      throws SQLException {
    return Transactions.inTransaction(
        dataSource,
        connection -> {
          if (!first.proceed(connection)) {
            return null;
          }
          Instant now = clock.instant();
          Optional<Hold> changed = write.apply(connection, now);
          if (changed.isEmpty()) {
            return null;
          }
          audit(connection, changed.get(), now, cause);
          return change(connection, orgId, changed.get());
        });
  }

  /**
   * The change's entry: {@code hold.placed} (nothing before) or {@code hold.lifted} (the hold
   * active before), the hold's reason telling a suspension, a lock and a spending block apart.
   */
  private static void audit(Connection connection, Hold hold, Instant now, Cause cause)
      throws SQLException {
    Hold active =
        new Hold(
            hold.id(),
            hold.orgId(),
            hold.reason(),
            hold.detail(),
            hold.placedAt(),
            null,
            null,
            null);
    AuditTrail.record(
        connection,
        new AuditEntry(
            now,
            cause,
            hold.orgId(),
            hold.active() ? AuditKinds.HOLD_PLACED : AuditKinds.HOLD_LIFTED,
            "hold:" + hold.id(),
            hold.active() ? null : active.event(),
            hold.event()));
  }

  /** A hold placed or lifted, the account's active holds after it, and its open sessions. */
  private record Change(Hold hold, Map<HoldReason, String> holds, List<String> sessions) {}

  private static Change change(Connection connection, String orgId, Hold hold) throws SQLException {
    Map<HoldReason, String> holds = new EnumMap<>(HoldReason.class);
    HoldStore.active(connection, orgId).forEach(h -> holds.put(h.reason(), h.detail()));
    return new Change(hold, holds, HoldStore.openSessions(connection, orgId));
  }
}
