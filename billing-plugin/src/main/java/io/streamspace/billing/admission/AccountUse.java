package io.streamspace.billing.admission;

import io.streamspace.billing.catalog.Meter;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * One account's use as admission sees it: its open sessions with their sizes, its storage level,
 * its plan, its period counters, the overage it confirmed and its pack purchases' grants, and
 * (for member admission) its members and the seat limit its Owner set. Kept
 * current from the session
 * events, usage reports and confirmations this node is handed, and replaced by what the database
 * holds at each refresh, except what this node saw after the refresh's horizon (the database may
 * not have it yet: the write-behind queue stores it shortly), the usage reports the stored
 * counters do not hold yet (of the current billing period), and confirmations (which never end
 * within their period). Membership events merge with the stored ones by event time (the latest
 * of a member decides), so a membership event counts at once and exactly once.
 * Sizes and the storage level hold from their event's instant, whatever order events arrive in.
 * Thread-safe; every method holds the account's monitor, which is uncontended on the hot path.
 */
final class AccountUse {

  /** From the database: older than any event's size. */
  private static final Instant STORED = Instant.MIN;

  /**
   * A session as last seen: its size (zero until one is reported) as of {@code sizeAt}, the
   * instant of the event that reported it, or ended.
   */
  private record Tracked(SessionSize size, Instant sizeAt, boolean ended, Instant seenHereAt) {}

  /**
   * A usage report this node was handed, until the stored counters are found to hold it or its
   * billing period ended.
   */
  private record Report(Meter meter, BigDecimal quantity, Instant occurredAt) {}

  /** A pack purchase's grant, as loaded ({@code seenHereAt} null) or as changed on this node. */
  private record Pack(PackGrant grant, Instant seenHereAt) {}

  /** A counter's overage confirmed for the billing period that starts at {@code periodStart}. */
  private record Confirmed(Meter meter, Instant periodStart) {}

  private final Map<String, Tracked> sessions = new HashMap<>();
  private String planId; // null: not known yet, the default plan's limits apply
  private Currency currency; // null: not known yet, the configured one
  private Instant countersPeriodStart; // the period of storedCounters; null: none loaded
  private Map<Meter, BigDecimal> storedCounters = Map.of();
  private final Map<String, Report> reports = new HashMap<>();
  private final Set<Confirmed> confirmed = new HashSet<>();
  private final Map<Long, Pack> packs = new HashMap<>();
  private BigDecimal storageGb = BigDecimal.ZERO;
  private Instant storageAt = STORED;
  private Instant storageSeenHereAt;
  private final Map<String, MemberEvent> members = new HashMap<>(); // by user id
  private boolean personal; // as stored: a user's personal organization has one member
  private Integer seatLimit; // the Owner's, null: none
  private Instant seatLimitSeenHereAt; // set or removed on this node then; null: as stored

  /**
   * The session is open, with the size an event of instant {@code at} reported (null: none),
   * unless a later event's size is known already.
   */
  synchronized void open(String sessionId, SessionSize size, Instant at, Instant now) {
    Tracked known = sessions.get(sessionId);
    if (known != null && known.ended()) {
      return; // an end is final: a late heartbeat does not reopen it
    }
    boolean newer = size != null && (known == null || !at.isBefore(known.sizeAt()));
    Tracked kept =
        newer
            ? new Tracked(size, at, false, now)
            : known != null
                ? new Tracked(known.size(), known.sizeAt(), false, now)
                : new Tracked(SessionSize.NONE, STORED, false, now);
    sessions.put(sessionId, kept);
  }

  synchronized void end(String sessionId, Instant now) {
    Tracked known = sessions.get(sessionId);
    sessions.put(
        sessionId,
        known == null
            ? new Tracked(SessionSize.NONE, STORED, true, now)
            : new Tracked(known.size(), known.sizeAt(), true, now));
  }

  /** The storage level an event of instant {@code at} reported, unless a later one is known. */
  synchronized void storage(BigDecimal level, Instant at, Instant now) {
    if (!at.isBefore(storageAt)) {
      storageGb = level;
      storageAt = at;
      storageSeenHereAt = now;
    }
  }

  /** A usage report of a counter, counted until the stored counters hold it. */
  synchronized void usage(String reportId, Meter meter, BigDecimal quantity, Instant at) {
    reports.putIfAbsent(reportId, new Report(meter, quantity, at));
  }

  /** The account confirmed that counter's overage for the period that starts then. */
  synchronized void confirmed(Meter meter, Instant periodStart) {
    confirmed.add(new Confirmed(meter, periodStart));
  }

  /** A purchase of the account was bought, renewed or cancelled on this node: it acts at once. */
  synchronized void pack(long purchaseId, PackGrant grant, Instant now) {
    packs.put(purchaseId, new Pack(grant, now));
  }

  /**
   * A membership event of {@code userId} this node was handed: it decides their membership unless
   * a later one is known.
   */
  synchronized void membership(String userId, MemberEvent event) {
    members.merge(userId, event, (known, seen) -> seen.isAfter(known) ? seen : known);
  }

  /** The Owner set (or, null, removed) the seat limit on this node: it acts at once. */
  synchronized void seatLimit(Integer limit, Instant now) {
    seatLimit = limit;
    seatLimitSeenHereAt = now;
  }

  /** The ids of the usage reports this node counts on top of the stored counters. */
  synchronized Set<String> reportIds() {
    return Set.copyOf(reports.keySet());
  }

  /**
   * Takes what the database holds ({@code stored}, or nothing of this account) for the period
   * that starts at {@code periodStart}, keeping what this node saw at or after {@code horizon},
   * and the reports of that period or later the stored counters do not hold ({@code
   * storedReports}) yet.
   */
  synchronized void refresh(
      StoredUse stored, Set<String> storedReports, Instant periodStart, Instant horizon) {
    sessions.values().removeIf(t -> t.seenHereAt().isBefore(horizon));
    // a report counts until found stored, however long the write-behind takes (a backlog, the
    // database down), or until its period ended: it counts in no later one (the bound)
    reports
        .entrySet()
        .removeIf(
            r ->
                storedReports.contains(r.getKey())
                    || r.getValue().occurredAt().isBefore(periodStart));
    // a confirmation never ends within its period: the stored ones add to those made here
    confirmed.removeIf(c -> !c.periodStart().equals(periodStart));
    // a purchase changed here wins until the database surely holds the change
    packs.values().removeIf(p -> p.seenHereAt() == null || p.seenHereAt().isBefore(horizon));
    countersPeriodStart = periodStart;
    storedCounters = Map.of();
    // the stored memberships are loaded anew; one seen here stays until surely stored, and the
    // later event of a member wins (the same rule as the database's)
    members.values().removeIf(e -> e.seenHereAt() == null || e.seenHereAt().isBefore(horizon));
    if (seatLimitSeenHereAt == null || seatLimitSeenHereAt.isBefore(horizon)) {
      seatLimit = stored == null ? null : stored.seatLimit();
      seatLimitSeenHereAt = null;
    }
    if (stored == null) {
      return;
    }
    personal = stored.personal();
    stored.members().forEach(this::membership);
    planId = stored.planId();
    currency = stored.currency();
    storedCounters = stored.counters();
    stored.overageConfirmed().forEach(m -> confirmed.add(new Confirmed(m, periodStart)));
    stored
        .openSessions()
        .forEach((id, size) -> sessions.putIfAbsent(id, new Tracked(size, STORED, false, STORED)));
    stored.packs().forEach((id, grant) -> packs.putIfAbsent(id, new Pack(grant, null)));
    if (storageSeenHereAt == null || storageSeenHereAt.isBefore(horizon)) {
      storageGb = stored.storageGb();
      storageAt = STORED;
      storageSeenHereAt = null;
    }
  }

  /** Whether nothing is left to remember of the account. */
  synchronized boolean isEmpty() {
    return sessions.isEmpty()
        && planId == null
        && storageSeenHereAt == null
        && reports.isEmpty()
        && confirmed.isEmpty()
        && packs.isEmpty()
        && members.isEmpty()
        && seatLimit == null
        && seatLimitSeenHereAt == null;
  }

  /**
   * The account's seats now, and whether {@code userId} (null: not said) already holds one. A
   * personal organization has one member, its user, whose id it has ({@code accountId}); a team
   * (or an organization not stored yet) the members its events left.
   */
  synchronized SeatUse seats(String accountId, String userId) {
    boolean member;
    int count;
    if (personal) {
      count = 1;
      member = accountId.equals(userId);
    } else {
      count = (int) members.values().stream().filter(MemberEvent::member).count();
      MemberEvent latest = userId == null ? null : members.get(userId);
      member = latest != null && latest.member();
    }
    return new SeatUse(planId, currency, count, member, seatLimit);
  }

  /**
   * What the account uses now, not counting {@code sessionId} (it asks again, say); its counters
   * and confirmations those of the billing period {@code [periodStart, periodEnd)}; what its
   * packs active {@code now} add to its limits.
   */
  synchronized ConcurrentUse use(
      String sessionId, Instant periodStart, Instant periodEnd, Instant now) {
    BigDecimal cores = BigDecimal.ZERO;
    BigDecimal memory = BigDecimal.ZERO;
    int open = 0;
    for (Map.Entry<String, Tracked> entry : sessions.entrySet()) {
      Tracked tracked = entry.getValue();
      if (!tracked.ended() && !entry.getKey().equals(sessionId)) {
        cores = cores.add(tracked.size().cpuCores());
        memory = memory.add(tracked.size().memoryGb());
        open++;
      }
    }
    return new ConcurrentUse(
        planId,
        cores,
        memory,
        open,
        storageGb,
        currency,
        counters(periodStart, periodEnd),
        confirmedIn(periodStart),
        packAdds(now));
  }

  private Map<Meter, BigDecimal> packAdds(Instant now) {
    Map<Meter, BigDecimal> adds = new LinkedHashMap<>();
    for (Pack pack : packs.values()) {
      if (pack.grant().activeAt(now)) {
        pack.grant().adds().forEach((meter, amount) -> adds.merge(meter, amount, BigDecimal::add));
      }
    }
    return adds;
  }

  /** The stored counters (if loaded for that period) plus the reports of it seen here. */
  private Map<Meter, BigDecimal> counters(Instant periodStart, Instant periodEnd) {
    Map<Meter, BigDecimal> counters = new LinkedHashMap<>();
    if (periodStart.equals(countersPeriodStart)) {
      counters.putAll(storedCounters);
    }
    for (Report report : reports.values()) {
      if (!report.occurredAt().isBefore(periodStart) && report.occurredAt().isBefore(periodEnd)) {
        counters.merge(report.meter(), report.quantity(), report.meter().aggregation()::combine);
      }
    }
    return counters;
  }

  private Set<Meter> confirmedIn(Instant periodStart) {
    Set<Meter> meters = new LinkedHashSet<>();
    for (Confirmed c : confirmed) {
      if (c.periodStart().equals(periodStart)) {
        meters.add(c.meter());
      }
    }
    return meters;
  }
}
