package io.streamspace.billing.admission;

import io.streamspace.billing.caps.MemberCap;
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
import java.util.function.BiPredicate;

/**
 * One account's use as admission sees it: its open sessions with their sizes (and the member
 * running each, when not the account itself), its storage level, its plan (and the version of it it
 * is on), its period counters, the overage it confirmed, its pack purchases' grants, its members'
 * caps, and (for member admission) its members and the seat limit its Owner set. Kept current from
 * the session events, usage reports, confirmations, caps and membership events this node is handed,
 * and replaced by what the database holds at each refresh, except what this node saw after the
 * refresh's horizon (the database may not have it yet: the write-behind queue stores it shortly),
 * the usage reports the stored counters do not hold yet (of the current billing period), and
 * confirmations (which never end within their period). Membership events merge with the stored ones
 * by event time (the latest of a member decides), so a membership event counts at once and exactly
 * once. Sizes and the storage level hold from their event's instant, whatever order events arrive
 * in. An account the database was not read for yet (an event brought it into the view) is not
 * {@link #loaded}: admission reads it before it decides on it. Thread-safe; every method holds the
 * account's monitor, which is uncontended on the hot path.
 */
final class AccountUse {

  /** From the database: older than any event's size. */
  private static final Instant STORED = Instant.MIN;

  /**
   * A session as last seen: its size (zero until one is reported) as of {@code sizeAt}, the
   * instant of the event that reported it, or ended; the member who runs it, null when that is
   * the account itself (a personal organization's user), so a personal session keeps no member.
   * With compressed references (any heap under 32 GB) the member reference fits in the record's
   * padding: a session costs no more memory for it.
   */
  private record Tracked(
      SessionSize size, Instant sizeAt, boolean ended, Instant seenHereAt, String member) {}

  /**
   * A usage report this node was handed, until the stored counters are found to hold it or its
   * billing period ended.
   */
  private record Report(Meter meter, BigDecimal quantity, Instant occurredAt) {}

  /** A pack purchase's grant, as loaded ({@code seenHereAt} null) or as changed on this node. */
  private record Pack(PackGrant grant, Instant seenHereAt) {}

  /** A counter's overage confirmed for the billing period that starts at {@code periodStart}. */
  private record Confirmed(Meter meter, Instant periodStart) {}

  /**
   * A member's cap, as loaded ({@code seenHereAt} null) or as set or removed on this node (no
   * limits: removed here).
   */
  private record Cap(Map<Meter, BigDecimal> limits, Instant seenHereAt) {}

  private final Map<String, Tracked> sessions = new HashMap<>();
  private TermPlan plan; // null: not known yet, the default plan's limits apply
  private Currency currency; // null: not known yet, the configured one
  private Instant countersPeriodStart; // the period of storedCounters; null: none loaded
  private Map<Meter, BigDecimal> storedCounters = Map.of();
  // most accounts have no report, confirmation, pack, cap or member event held: each of these
  // is the shared empty one until something is put in, and again once emptied (the view's bytes
  // per account: docs/billing-internals.md, "Admission from memory")
  private Map<String, Report> reports = Map.of();
  private Set<Confirmed> confirmed = Set.of();
  private Map<Long, Pack> packs = Map.of();
  private Map<String, Cap> caps = Map.of(); // by member
  private BigDecimal storageGb = BigDecimal.ZERO;
  private Instant storageAt = STORED;
  private String storageEventId = "";
  private Instant storageSeenHereAt;
  private Map<String, MemberEvent> members = Map.of(); // by user id
  private boolean personal; // as stored: a user's personal organization has one member
  private Integer seatLimit; // the Owner's, null: none
  private Instant seatLimitSeenHereAt; // set or removed on this node then; null: as stored
  private long loadedBy; // the load (AdmissionView.nextLoad) its stored part is from; 0: none
  private Instant askedAt; // the last admission check that read it, or its load; null: none

  /**
   * The session of {@code member} (null: the account itself) is open, with the size an event of
   * instant {@code at} reported (null: none), unless a later event's size is known already. A
   * newer size replaces the known cores and memory, and its held amounts are merged over the
   * known ones ({@link SessionSize#over}): a heartbeat naming no {@code resources} keeps the GPUs
   * it holds. An older size changes nothing, its held amounts included (a reload reads each
   * meter's latest amount, the bound on that).
   */
  synchronized void open(
      String sessionId, String member, SessionSize size, Instant at, Instant now) {
    Tracked known = sessions.get(sessionId);
    if (known != null && known.ended()) {
      return; // an end is final: a late heartbeat does not reopen it
    }
    String runBy = known != null ? known.member() : member; // the first event's string, kept
    boolean newer = size != null && (known == null || !at.isBefore(known.sizeAt()));
    Tracked kept =
        newer
            ? new Tracked(
                size.over(known != null ? known.size() : SessionSize.NONE), at, false, now, runBy)
            : known != null
                ? new Tracked(known.size(), known.sizeAt(), false, now, runBy)
                : new Tracked(SessionSize.NONE, STORED, false, now, runBy);
    sessions.put(sessionId, kept);
  }

  synchronized void end(String sessionId, String member, Instant now) {
    Tracked known = sessions.get(sessionId);
    sessions.put(
        sessionId,
        known == null
            ? new Tracked(SessionSize.NONE, STORED, true, now, member)
            : new Tracked(known.size(), known.sizeAt(), true, now, known.member()));
  }

  /**
   * A member's cap set ({@code limits}, in {@link MemberCap}'s order, which it is shown in) or
   * removed (empty) on this node: it acts at once.
   */
  synchronized void cap(String member, Map<Meter, BigDecimal> limits, Instant now) {
    caps = writable(caps);
    caps.put(member, new Cap(limits, now));
  }

  /** The session does not count here: its session.created put it under another account. */
  synchronized void forget(String sessionId) {
    sessions.remove(sessionId);
  }

  /**
   * The storage level event {@code eventId} of instant {@code at} reported, unless a later one is
   * known; of two at one instant, the greater event id's, as metering stores them.
   */
  synchronized void storage(BigDecimal level, Instant at, String eventId, Instant now) {
    if (at.isAfter(storageAt) || (at.equals(storageAt) && eventId.compareTo(storageEventId) > 0)) {
      storageGb = level;
      storageAt = at;
      storageEventId = eventId;
      storageSeenHereAt = now;
    }
  }

  /** A usage report of a counter, counted until the stored counters hold it. */
  synchronized void usage(String reportId, Meter meter, BigDecimal quantity, Instant at) {
    reports = writable(reports);
    reports.putIfAbsent(reportId, new Report(meter, quantity, at));
  }

  /** The account confirmed that counter's overage for the period that starts then. */
  synchronized void confirmed(Meter meter, Instant periodStart) {
    if (!(confirmed instanceof HashSet)) {
      confirmed = new HashSet<>(confirmed);
    }
    confirmed.add(new Confirmed(meter, periodStart));
  }

  /** A purchase of the account was bought, renewed or cancelled on this node: it acts at once. */
  synchronized void pack(long purchaseId, PackGrant grant, Instant now) {
    packs = writable(packs);
    packs.put(purchaseId, new Pack(grant, now));
  }

  /**
   * A membership event of {@code userId} this node was handed: it decides their membership unless
   * a later one is known.
   */
  synchronized void membership(String userId, MemberEvent event) {
    members = writable(members);
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
      StoredUse stored,
      Set<String> storedReports,
      Instant periodStart,
      Instant horizon,
      long load) {
    if (load <= loadedBy) {
      return; // a load begun before the one it holds (a reload overtaken by a check's read)
    }
    loadedBy = load;
    sessions.values().removeIf(t -> t.seenHereAt().isBefore(horizon));
    // a report counts until found stored, however long the write-behind takes (a backlog, the
    // database down), or until its period ended: it counts in no later one (the bound)
    reports =
        without(
            reports, (id, r) -> storedReports.contains(id) || r.occurredAt().isBefore(periodStart));
    // a confirmation never ends within its period: the stored ones add to those made here
    if (!confirmed.isEmpty()) {
      confirmed.removeIf(c -> !c.periodStart().equals(periodStart));
      confirmed = confirmed.isEmpty() ? Set.of() : confirmed;
    }
    // a purchase changed here wins until the database surely holds the change
    packs = without(packs, (id, p) -> p.seenHereAt() == null || p.seenHereAt().isBefore(horizon));
    // as a purchase: a cap set or removed here wins until the database surely holds the change
    caps = without(caps, (m, c) -> c.seenHereAt() == null || c.seenHereAt().isBefore(horizon));
    countersPeriodStart = periodStart;
    storedCounters = Map.of();
    // the stored memberships are loaded anew; one seen here stays until surely stored, and the
    // later event of a member wins (the same rule as the database's)
    members =
        without(members, (u, e) -> e.seenHereAt() == null || e.seenHereAt().isBefore(horizon));
    if (seatLimitSeenHereAt == null || seatLimitSeenHereAt.isBefore(horizon)) {
      seatLimit = stored == null ? null : stored.seatLimit();
      seatLimitSeenHereAt = null;
    }
    if (stored == null) {
      return;
    }
    personal = stored.personal();
    stored.members().forEach(this::membership);
    plan = stored.plan();
    currency = stored.currency();
    storedCounters = stored.counters();
    stored.overageConfirmed().forEach(m -> confirmed(m, periodStart));
    stored
        .openSessions()
        .forEach(
            (id, size) ->
                sessions.putIfAbsent(
                    id, new Tracked(size, STORED, false, STORED, stored.sessionMembers().get(id))));
    if (!stored.packs().isEmpty()) {
      packs = writable(packs);
      stored.packs().forEach((id, grant) -> packs.putIfAbsent(id, new Pack(grant, null)));
    }
    if (!stored.memberCaps().isEmpty()) {
      caps = writable(caps);
      stored
          .memberCaps()
          .forEach((member, limits) -> caps.putIfAbsent(member, new Cap(limits, null)));
    }
    if (storageSeenHereAt == null || storageSeenHereAt.isBefore(horizon)) {
      storageGb = stored.storageGb();
      storageAt = STORED;
      storageEventId = "";
      storageSeenHereAt = null;
    }
  }

  /** The map to put into: itself, or a new one in place of the shared empty one. */
  private static <K, V> Map<K, V> writable(Map<K, V> map) {
    return map instanceof HashMap ? map : new HashMap<>();
  }

  /** The map without the entries {@code drop} picks: the shared empty one once none is left. */
  private static <K, V> Map<K, V> without(Map<K, V> map, BiPredicate<K, V> drop) {
    if (!map.isEmpty()) {
      map.entrySet().removeIf(e -> drop.test(e.getKey(), e.getValue()));
    }
    return map.isEmpty() ? Map.of() : map;
  }

  /** Whether its stored part was read from the database (else it is read before a decision). */
  synchronized boolean loaded() {
    return loadedBy > 0;
  }

  /** An admission check read it at {@code now}: it stays in the view a while (see idle). */
  synchronized void asked(Instant now) {
    askedAt = now;
  }

  /**
   * Whether it may leave the view: no session open or seen here since {@code horizon}, no report
   * the stored counters may not hold yet, nothing else seen here since {@code horizon} (which
   * the database may not hold yet), and no admission check since then. What is left is what the
   * database holds (a confirmation is stored before it is handed here), so reading it again gives
   * the same decisions. Called right after a refresh, which dropped what this node saw before the
   * horizon.
   */
  synchronized boolean idle(Instant horizon) {
    return sessions.isEmpty()
        && reports.isEmpty()
        && (askedAt == null || askedAt.isBefore(horizon))
        && storageSeenHereAt == null
        && seatLimitSeenHereAt == null
        && packs.values().stream().allMatch(p -> p.seenHereAt() == null)
        && caps.values().stream().allMatch(c -> c.seenHereAt() == null)
        && members.values().stream().allMatch(e -> e.seenHereAt() == null);
  }

  /**
   * What {@code member} holds now in the account's open sessions, not counting {@code
   * sessionId}, against their cap; null when they have none. Only a capped member's request
   * goes through the sessions: an uncapped one costs a map lookup.
   */
  synchronized MemberUse memberUse(String member, String sessionId) {
    Cap cap = caps.get(member);
    if (cap == null || cap.limits().isEmpty()) {
      return null;
    }
    BigDecimal cores = BigDecimal.ZERO;
    BigDecimal memory = BigDecimal.ZERO;
    int open = 0;
    for (Map.Entry<String, Tracked> entry : sessions.entrySet()) {
      Tracked tracked = entry.getValue();
      if (!tracked.ended()
          && member.equals(tracked.member())
          && !entry.getKey().equals(sessionId)) {
        cores = cores.add(tracked.size().cpuCores());
        memory = memory.add(tracked.size().memoryGb());
        open++;
      }
    }
    return new MemberUse(cap.limits(), cores, memory, open);
  }

  /**
   * The account's seats now, and whether {@code userId} (null: not said) already holds one. A
   * personal organization has one member, its user, whose id it has ({@code orgId}); a team
   * (or an organization not stored yet) the members its events left.
   */
  synchronized SeatUse seats(String orgId, String userId, Instant now) {
    askedAt = now;
    boolean member;
    int count;
    if (personal) {
      count = 1;
      member = orgId.equals(userId);
    } else {
      count = (int) members.values().stream().filter(MemberEvent::member).count();
      MemberEvent latest = userId == null ? null : members.get(userId);
      member = latest != null && latest.member();
    }
    return new SeatUse(planId(), planVersion(), currency, count, member, seatLimit);
  }

  /**
   * What the account uses now, not counting {@code sessionId} (it asks again, say); its counters
   * and confirmations those of the billing period {@code [periodStart, periodEnd)}; what its
   * packs active {@code now} add to its limits.
   */
  synchronized ConcurrentUse use(
      String sessionId, Instant periodStart, Instant periodEnd, Instant now) {
    askedAt = now;
    BigDecimal cores = BigDecimal.ZERO;
    BigDecimal memory = BigDecimal.ZERO;
    Map<String, BigDecimal> held = Map.of();
    int open = 0;
    for (Map.Entry<String, Tracked> entry : sessions.entrySet()) {
      Tracked tracked = entry.getValue();
      if (!tracked.ended() && !entry.getKey().equals(sessionId)) {
        cores = cores.add(tracked.size().cpuCores());
        memory = memory.add(tracked.size().memoryGb());
        if (!tracked.size().held().isEmpty()) {
          held = writable(held);
          for (Map.Entry<String, BigDecimal> amount : tracked.size().held().entrySet()) {
            held.merge(amount.getKey(), amount.getValue(), BigDecimal::add);
          }
        }
        open++;
      }
    }
    return new ConcurrentUse(
        planId(),
        planVersion(),
        cores,
        memory,
        open,
        held,
        storageGb,
        currency,
        counters(periodStart, periodEnd),
        confirmedIn(periodStart),
        packAdds(now));
  }

  private String planId() {
    return plan == null ? null : plan.id();
  }

  private Integer planVersion() {
    return plan == null ? null : plan.version();
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
