package io.streamspace.billing.metering;

import io.streamspace.billing.metering.MeteringEvent.AccountOpening;
import io.streamspace.billing.metering.MeteringEvent.OrganizationChange;
import io.streamspace.billing.metering.MeteringEvent.SessionSignal;
import io.streamspace.billing.metering.MeteringEvent.SessionSignalKind;
import io.streamspace.billing.metering.MeteringEvent.UsageReported;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.OrganizationEvent.Membership;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionActivity;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A batch of events coalesced into one row per session, account, size change, storage level,
 * usage report and organization event, so that a flush writes each kind with one statement
 * however many heartbeats it holds.
 *
 * <p>Every merge is order-free and idempotent (min, max, first-reported-wins per instant, a
 * storage level's tie at one instant to the greater event id), which is what makes redelivered
 * and out-of-order events safe: the store applies the same merges against what is already
 * stored.
 */
public final class MeteringBatch {

  /**
   * An account to open if absent, or to start earlier if it started after {@code createdAt};
   * with a user.created or org.created, one on the defaults to move onto its currency and plan.
   *
   * @param orgId        the account's id: the organization's (a personal one's is its user's)
   * @param createdAt     the earliest instant of the account's events in the batch
   * @param userCreatedAt the instant of the user.created (personal) or org.created (team) that
   *                      sets its terms, or null (a session event's row: {@code currency} and
   *                      {@code planId} are the defaults)
   * @param personal      whether it is a user's personal organization (keyed by the user's id),
   *                      else a team organization
   * @param name          a team organization's name as its org.created gives it, or null
   */
  public record AccountRow(
      String orgId,
      String email,
      String currency,
      String planId,
      Instant createdAt,
      Instant userCreatedAt,
      boolean personal,
      String name) {}

  /**
   * An organization event as {@code billing_org_events} keeps it. org.created is its owner's
   * first membership event.
   *
   * @param type   its wire name, such as {@code org.member_added}
   * @param userId the member (org.created's owner); null for org.deleted
   * @param role   the member's role from then on (wire name); null when they left, and for
   *               org.deleted
   */
  public record OrgEventRow(
      String eventId, String orgId, String type, String userId, String role, Instant occurredAt) {}

  /**
   * What a batch knows about one session.
   *
   * @param firstSeen the earliest instant of any of its events (the session started no later)
   * @param lastSeen  the latest instant of any of its events (the session was alive then)
   * @param endedAt   the earliest termination, or null
   * @param orgId     the organization it is billed to: its session.created's, else that of the
   *                  batch's first event of it
   * @param created   whether the batch holds its session.created (whose organization wins)
   * @param endedBy   the terminate of {@code endedAt} (of two at that instant, the greater
   *                  event id's), or null
   * @param endReason the reason {@code endedBy} told, or null
   */
  public record SessionRow(
      String sessionId,
      String userId,
      Instant firstSeen,
      Instant lastSeen,
      Instant endedAt,
      String orgId,
      boolean created,
      String endedBy,
      String endReason) {}

  /**
   * The session's CPU and memory from {@code effectiveFrom} on.
   *
   * @param eventId the event that reported it (of two at one instant the first stored wins): what
   *                a correction's cancel of the event finds
   */
  public record SizeRow(
      String sessionId,
      Instant effectiveFrom,
      BigDecimal cpuCores,
      BigDecimal memoryGb,
      String eventId) {}

  /**
   * The storage level a session's event reported, its organization's from {@code effectiveFrom}
   * on. The organization is not the event's: it is the session's, which the store reads from the
   * session it stored (fixed by its session.created), whatever later events of it carry.
   *
   * @param eventId the reporting event, whose id breaks a tie with another report of the same
   *                organization at the same instant: the greater wins, whatever the order
   */
  public record StorageRow(
      String sessionId, Instant effectiveFrom, BigDecimal storageGb, String eventId) {}

  /**
   * The amount of a held meter (a session event's {@code resources}) the session holds from
   * {@code effectiveFrom} on.
   *
   * @param eventId the reporting event, whose id breaks a tie with another event of the session
   *                naming the meter at the same instant: the greater wins, whatever the order
   */
  public record HeldRow(
      String sessionId, String meterId, Instant effectiveFrom, BigDecimal amount, String eventId) {}

  /**
   * The activity state a session event reported (its {@code session.activity}), the session's
   * from {@code effectiveFrom} on, with what it used then.
   *
   * @param state   the state's wire name ({@code active}, {@code idle}, {@code disconnected})
   * @param used    the used figures as a JSON object, or null when none were reported
   * @param eventId the reporting event, whose id breaks a tie with another event of the session
   *                at the same instant: the greater wins, whatever the order
   */
  public record ActivityRow(
      String sessionId, Instant effectiveFrom, String state, String used, String eventId) {}

  private record HeldKey(String sessionId, String meterId, Instant at) {
    static final Comparator<HeldKey> ORDER =
        Comparator.comparing(HeldKey::sessionId, StoredKeyOrder.BY_CODE_POINT)
            .thenComparing(HeldKey::meterId, StoredKeyOrder.BY_CODE_POINT)
            .thenComparing(HeldKey::at);
  }

  private record InstantKey(String id, Instant at) {
    static final Comparator<InstantKey> ORDER =
        Comparator.comparing(InstantKey::id, StoredKeyOrder.BY_CODE_POINT)
            .thenComparing(InstantKey::at);
  }

  // Rows are kept in key order, as PostgreSQL sorts the keys, so that every writer (one per host
  // node) locks rows in the same order as the others and as calculate-usage (which locks the
  // sessions by ORDER BY session_id): concurrent flushes and runs touching the same sessions then
  // wait instead of deadlocking.
  private final Map<String, AccountRow> accounts = new TreeMap<>(StoredKeyOrder.BY_CODE_POINT);
  private final Map<String, SessionRow> sessions = new TreeMap<>(StoredKeyOrder.BY_CODE_POINT);
  private final Map<InstantKey, SizeRow> sizes = new TreeMap<>(InstantKey.ORDER);
  private final Map<InstantKey, StorageRow> storage = new TreeMap<>(InstantKey.ORDER);
  private final Map<HeldKey, HeldRow> held = new TreeMap<>(HeldKey.ORDER);
  private final Map<InstantKey, ActivityRow> activity = new TreeMap<>(InstantKey.ORDER);
  private final Map<String, UsageReport> usageReports = new TreeMap<>(); // by event id
  private final Map<String, OrgEventRow> orgEvents = new TreeMap<>(); // by event id

  private MeteringBatch() {}

  /**
   * Coalesces events in the order they were enqueued.
   *
   * @param defaultCurrency currency of an account opened because a session arrived first
   * @param defaultPlan     plan of such an account
   */
  public static MeteringBatch of(
      List<MeteringEvent> events, String defaultCurrency, String defaultPlan) {
    MeteringBatch batch = new MeteringBatch();
    for (MeteringEvent event : events) {
      if (event instanceof AccountOpening opening) {
        batch.openOnItsTerms(
            new AccountRow(
                opening.userId(),
                opening.email(),
                opening.currency(),
                opening.planId(),
                opening.at(),
                opening.at(),
                true,
                null));
      } else if (event instanceof OrganizationChange change) {
        batch.addOrganizationEvent(change);
      } else if (event instanceof SessionSignal signal) {
        batch.addSession(signal.kind(), signal.event(), defaultCurrency, defaultPlan);
      } else if (event instanceof UsageReported usage) {
        UsageReport report = usage.report();
        batch.openOnTheSide(
            report.billedOrgId(),
            report.orgId() == null,
            report.occurredAt(),
            defaultCurrency,
            defaultPlan);
        batch.usageReports.putIfAbsent(report.id(), report);
      }
    }
    return batch;
  }

  /**
   * An explicit user.created or org.created beats an account opened on the side; but a user's
   * personal account is never made a team's: the store refuses an org.created with its id.
   */
  private void openOnItsTerms(AccountRow row) {
    accounts.merge(
        row.orgId(),
        row,
        (known, added) -> {
          boolean addedWins =
              known.personal() == added.personal()
                  ? known.userCreatedAt() == null
                  : added.personal();
          return addedWins ? startedEarliest(added, known) : startedEarliest(known, added);
        });
  }

  private void addOrganizationEvent(OrganizationChange change) {
    OrganizationEvent e = change.source();
    if (e.type() == OrganizationEvent.Type.CREATED) {
      openOnItsTerms(
          new AccountRow(
              e.orgId(),
              null,
              change.currency(),
              change.planId(),
              e.occurredAt(),
              e.occurredAt(),
              false,
              e.organization().name()));
    }
    Membership member =
        e.type() == OrganizationEvent.Type.CREATED
            ? new Membership(e.organization().ownerUserId(), OrganizationEvent.Role.OWNER)
            : e.membership(); // null for org.deleted
    orgEvents.putIfAbsent(
        e.id(),
        new OrgEventRow(
            e.id(),
            e.orgId(),
            e.type().wireName(),
            member == null ? null : member.userId(),
            member == null || member.role() == null ? null : member.role().wireName(),
            e.occurredAt()));
  }

  private void addSession(
      SessionSignalKind kind, SessionEvent e, String defaultCurrency, String defaultPlan) {
    String orgId = e.billedOrgId();
    openOnTheSide(orgId, e.orgId() == null, e.occurredAt(), defaultCurrency, defaultPlan);
    boolean terminate = kind == SessionSignalKind.TERMINATED;
    sessions.merge(
        e.sessionId(),
        new SessionRow(
            e.sessionId(),
            e.userId(),
            e.occurredAt(),
            e.occurredAt(),
            terminate ? e.occurredAt() : null,
            orgId,
            kind == SessionSignalKind.CREATED,
            terminate ? e.id() : null,
            terminate ? e.reason() : null),
        MeteringBatch::mergeSession);
    // sizes on any event hold from its instant, a terminate's too: the storage it reports is
    // the account's level from then on (cpu and memory bill nothing after the end)
    ResourceSize size = e.resources();
    if (size != null) {
      sizes.putIfAbsent(
          new InstantKey(e.sessionId(), e.occurredAt()),
          new SizeRow(e.sessionId(), e.occurredAt(), size.cpuCores(), size.memoryGb(), e.id()));
      storage.merge(
          new InstantKey(e.sessionId(), e.occurredAt()),
          new StorageRow(e.sessionId(), e.occurredAt(), size.storageGb(), e.id()),
          (a, b) -> a.eventId().compareTo(b.eventId()) >= 0 ? a : b);
      // each held meter it names holds that amount from its instant; one it does not name
      // keeps what an earlier event gave it
      size.resources()
          .forEach(
              (meter, amount) ->
                  held.merge(
                      new HeldKey(e.sessionId(), meter, e.occurredAt()),
                      new HeldRow(e.sessionId(), meter, e.occurredAt(), amount, e.id()),
                      (a, b) -> a.eventId().compareTo(b.eventId()) >= 0 ? a : b));
    }
    SessionActivity reported = e.activity();
    if (reported != null) {
      activity.merge(
          new InstantKey(e.sessionId(), e.occurredAt()),
          new ActivityRow(
              e.sessionId(),
              e.occurredAt(),
              reported.state().wireName(),
              usedJson(reported.used()),
              e.id()),
          (a, b) -> a.eventId().compareTo(b.eventId()) >= 0 ? a : b);
    }
  }

  /** The used figures as a JSON object of exact numbers (names are meter ids), or null. */
  private static String usedJson(Map<String, BigDecimal> used) {
    if (used.isEmpty()) {
      return null;
    }
    StringBuilder json = new StringBuilder("{");
    used.forEach(
        (name, amount) ->
            json.append(json.length() > 1 ? "," : "")
                .append('"')
                .append(name)
                .append("\":")
                .append(amount.toPlainString()));
    return json.append('}').toString();
  }

  /**
   * Usage is never dropped: an event of an unknown organization opens an account for it on the
   * defaults, starting no later than the event.
   */
  private void openOnTheSide(
      String orgId, boolean personal, Instant at, String defaultCurrency, String defaultPlan) {
    accounts.merge(
        orgId,
        new AccountRow(orgId, null, defaultCurrency, defaultPlan, at, null, personal, null),
        MeteringBatch::startedEarliest);
  }

  /** {@code kept}, starting at the earlier of the two starts. */
  private static AccountRow startedEarliest(AccountRow kept, AccountRow other) {
    return new AccountRow(
        kept.orgId(),
        kept.email(),
        kept.currency(),
        kept.planId(),
        earliest(kept.createdAt(), other.createdAt()),
        kept.userCreatedAt(),
        kept.personal(),
        kept.name());
  }

  private static SessionRow mergeSession(SessionRow a, SessionRow b) {
    // the first terminate in event time ends it; of two at one instant, the greater event id's
    SessionRow end = endsFirst(a, b) ? a : b;
    return new SessionRow(
        a.sessionId(),
        a.userId(),
        earliest(a.firstSeen(), b.firstSeen()),
        a.lastSeen().isAfter(b.lastSeen()) ? a.lastSeen() : b.lastSeen(),
        end.endedAt(),
        b.created() && !a.created() ? b.orgId() : a.orgId(),
        a.created() || b.created(),
        end.endedBy(),
        end.endReason());
  }

  private static boolean endsFirst(SessionRow a, SessionRow b) {
    if (a.endedAt() == null || b.endedAt() == null) {
      return b.endedAt() == null;
    }
    int byTime = a.endedAt().compareTo(b.endedAt());
    return byTime != 0 ? byTime < 0 : a.endedBy().compareTo(b.endedBy()) >= 0;
  }

  private static Instant earliest(Instant a, Instant b) {
    if (a == null || b == null) {
      return a == null ? b : a;
    }
    return a.isBefore(b) ? a : b;
  }

  public List<AccountRow> accounts() {
    return new ArrayList<>(accounts.values());
  }

  public List<SessionRow> sessions() {
    return new ArrayList<>(sessions.values());
  }

  public List<SizeRow> sizes() {
    return new ArrayList<>(sizes.values());
  }

  public List<StorageRow> storageLevels() {
    return new ArrayList<>(storage.values());
  }

  /** The sessions' activity steps, in key order (session, instant). */
  public List<ActivityRow> activity() {
    return new ArrayList<>(activity.values());
  }

  /** The held resources' steps, in key order (session, meter, instant). */
  public List<HeldRow> held() {
    return new ArrayList<>(held.values());
  }

  /** The ids of the sessions whose session.created the batch holds, which fixes their org. */
  public List<String> createdSessions() {
    return sessions.values().stream()
        .filter(SessionRow::created)
        .map(SessionRow::sessionId)
        .toList();
  }

  /** The usage reports, one per event id (the first delivered of a redelivered one). */
  public List<UsageReport> usageReports() {
    return new ArrayList<>(usageReports.values());
  }

  /** The organization events, one per event id (the first delivered of a redelivered one). */
  public List<OrgEventRow> orgEvents() {
    return new ArrayList<>(orgEvents.values());
  }

  /** The ids of the organizations the batch holds an organization event of, in order. */
  public List<String> organizationsWithEvents() {
    return orgEvents.values().stream().map(OrgEventRow::orgId).distinct().sorted().toList();
  }

  /** The ids of the organizations the batch holds an org.created of, in order. */
  public List<String> createdOrganizations() {
    return orgEvents.values().stream()
        .filter(e -> e.type().equals(OrganizationEvent.Type.CREATED.wireName()))
        .map(OrgEventRow::orgId)
        .distinct()
        .sorted()
        .toList();
  }

  /**
   * The team organizations the batch names, by an organization event or a session or report
   * billed to one, in order: those a kept org.deleted may close.
   */
  public List<String> organizations() {
    return Stream.concat(
            orgEvents.values().stream().map(OrgEventRow::orgId),
            accounts.values().stream().filter(a -> !a.personal()).map(AccountRow::orgId))
        .distinct()
        .sorted()
        .toList();
  }
}
