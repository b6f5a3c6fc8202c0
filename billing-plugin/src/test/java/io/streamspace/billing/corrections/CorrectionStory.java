package io.streamspace.billing.corrections;

import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What {@link CorrectionsPropertyTest} generates from a seed: one organization's history in
 * March and April 2026 (sessions created, resized by heartbeats, terminated, each sized event
 * reporting the organization's storage level; reports of a counted meter), what the platform lost
 * of it (whole sessions, heartbeats, reports), the plan changes, credits, seats (members added
 * and removed) and an admin's credit notes both organizations, teams, make and get alike, and the
 * corrections an admin makes of it (cancel a
 * heartbeat or a report, amend a report's quantity or a session's sizes over a range, backfill
 * what was lost), each at an instant from when it can be made (what it corrects is rated) to the
 * end of May, some posted twice under their key.
 *
 * <p>Two organizations tell it: {@code ann} receives the history as it was, without what was
 * lost, then the corrections; {@code ben} receives, from the start, the history as corrected: the
 * lost events delivered on time, the cancelled ones left out, each report at its amended quantity
 * and each session's events at its corrected sizes, with a heartbeat wherever an amend starts or
 * ends. The corrected history is the model of {@link History}: the events kept (recorded, lost
 * included, cancelled left out), then every amend over them in the order the corrections are
 * applied, a later one over an earlier one winning; the organization's storage level is the
 * latest sized event's of any session (no two of ann's events share an instant, so no tie), and
 * ben's every event reports the corrected level at its instant, so his levels are that function.
 */
final class CorrectionStory {

  static final Instant MARCH = Instant.parse("2026-03-01T00:00:00Z");
  static final Instant APRIL = Instant.parse("2026-04-01T00:00:00Z");
  static final Instant MAY = Instant.parse("2026-05-01T00:00:00Z");
  static final Instant JUNE = Instant.parse("2026-06-01T00:00:00Z");
  static final List<Instant> PERIODS = List.of(MARCH, APRIL, MAY, JUNE);

  static final String ANN = "ann";
  static final String BEN = "ben";
  static final String METER = "gpu_minutes";

  private static final Instant LAST_START = Instant.parse("2026-04-25T00:00:00Z");
  private static final Instant LAST_CORRECTION = Instant.parse("2026-05-28T00:00:00Z");
  private static final int[] CORES = {1, 2, 3, 4, 6, 8};
  private static final int[] MEMORY = {1, 2, 3, 4, 8, 16};
  private static final int[] STORAGE = {0, 4, 10, 25};

  /** A sized event of a session: created (the first) or a heartbeat. */
  record Sized(String id, Instant at, int cores, int memoryGb, int storageGb) {}

  /** A session as it ran; {@code lost}: the platform lost all its events. */
  record Session(String key, Instant start, Instant end, List<Sized> steps, boolean lost) {

    String id(String org) {
      return org + "-" + key;
    }
  }

  /** A report of the counted meter; {@code lost}: the platform lost it. */
  record Report(String key, Instant at, int quantity, boolean lost) {}

  /** An item of a correction, as posted for ann. */
  sealed interface Item {
    /** From when it can be made: what it corrects is rated, what it backfills past the grace. */
    Instant ready();

    String json();
  }

  /**
   * A heartbeat cancelled; {@code ready} also waits for the organization's next storage level
   * that stays (the cancelled one held until then: that must be rated, or the correction is
   * refused).
   */
  record CancelStep(Session session, Sized step, Instant ready) implements Item {

    public String json() {
      return "{\"cancel\": {\"event_id\": \"%s\"}}".formatted(eventId(ANN, step.id()));
    }
  }

  record CancelReport(Report report) implements Item {
    public Instant ready() {
      return report.at().plus(Duration.ofHours(1));
    }

    public String json() {
      return "{\"cancel\": {\"event_id\": \"%s\"}}".formatted(eventId(ANN, report.key()));
    }
  }

  record AmendReport(Report report, int quantity) implements Item {
    public Instant ready() {
      return report.at().plus(Duration.ofHours(1));
    }

    public String json() {
      return "{\"amend\": {\"event_id\": \"%s\", \"quantity\": %d}}"
          .formatted(eventId(ANN, report.key()), quantity);
    }
  }

  /** A session's sizes over {@code [from, to)}; a null size is left as it was. */
  record AmendSizes(
      Session session, Instant from, Instant to, Integer cores, Integer memoryGb, Integer storageGb)
      implements Item {
    public Instant ready() {
      return settled(session);
    }

    public String json() {
      return "{\"amend\": {\"session_id\": \"%s\", \"from\": \"%s\", \"to\": \"%s\"%s%s%s}}"
          .formatted(
              session.id(ANN),
              from,
              to,
              cores == null ? "" : ", \"cpu_cores\": " + cores,
              memoryGb == null ? "" : ", \"memory_gb\": " + memoryGb,
              storageGb == null ? "" : ", \"storage_gb\": " + storageGb);
    }
  }

  /** A lost session, whole, or one lost heartbeat of a session ({@code step} not null). */
  record Backfill(Session session, Sized step) implements Item {
    public Instant ready() {
      return settled(session);
    }

    public String json() {
      List<String> events = new ArrayList<>();
      if (step != null) {
        events.add(sized(session, step, "session.heartbeat"));
      } else {
        for (Sized s : session.steps()) {
          events.add(sized(session, s, s == session.steps().get(0) ? "session.created" : HB));
        }
        events.add(
            ("{\"id\": \"%s\", \"type\": \"session.terminated\", \"occurred_at\": \"%s\","
                    + " \"session\": {\"session_id\": \"%s\", \"user_id\": \"%s\","
                    + " \"org_id\": \"%s\"}}")
                .formatted(
                    eventId(ANN, session.key() + "-end"),
                    session.end(),
                    session.id(ANN),
                    owner(ANN),
                    ANN));
      }
      return "{\"backfill\": {\"events\": [%s]}}".formatted(String.join(", ", events));
    }

    private static final String HB = "session.heartbeat";

    private static String sized(Session session, Sized s, String type) {
      return ("{\"id\": \"%s\", \"type\": \"%s\", \"occurred_at\": \"%s\", \"session\":"
              + " {\"session_id\": \"%s\", \"user_id\": \"%s\", \"org_id\": \"%s\","
              + " \"cpu_cores\": %d, \"memory_gb\": %d, \"storage_gb\": %d}}")
          .formatted(
              eventId(ANN, s.id()),
              type,
              s.at(),
              session.id(ANN),
              owner(ANN),
              ANN,
              s.cores(),
              s.memoryGb(),
              s.storageGb());
    }
  }

  record BackfillReport(Report report) implements Item {
    public Instant ready() {
      return report.at().plus(Duration.ofHours(1));
    }

    public String json() {
      return ("{\"backfill\": {\"events\": [{\"id\": \"%s\", \"type\": \"usage.reported\","
              + " \"occurred_at\": \"%s\", \"usage\": {\"user_id\": \"%s\", \"org_id\": \"%s\","
              + " \"meter\": \"%s\", \"quantity\": %d}}]}}")
          .formatted(
              eventId(ANN, report.key()), report.at(), owner(ANN), ANN, METER, report.quantity());
    }
  }

  /**
   * A correction: its items, its Idempotency-Key, when it is posted ({@code at}), previewed just
   * before (or not), posted by two requests at once under its key ({@code racing}: as two nodes
   * would take them), and posted again later under its key ({@code again}, or null).
   */
  static final class Correction {
    final String key;
    final List<Item> items;
    Instant at;
    Instant again;
    boolean previewed;
    boolean racing;

    Correction(String key, List<Item> items) {
      this.key = key;
      this.items = items;
    }

    Instant ready() {
      return items.stream().map(Item::ready).max(Comparator.naturalOrder()).orElseThrow();
    }

    String json() {
      return "{\"reason\": \"%s\", \"items\": [%s]}"
          .formatted(key, items.stream().map(Item::json).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
      return key
          + " at "
          + at
          + (racing ? " twice at once" : "")
          + (again == null ? "" : " (again at " + again + ")")
          + ": "
          + json();
    }
  }

  /**
   * A change of plan (PUT /subscription) both organizations make at {@code at}: to {@code large}
   * (a fee, more GPU minutes included, no seat: the organization's one seat is billed) or back to
   * {@code small}.
   */
  record PlanChange(Instant at, String plan) {}

  /** An admin's credit (POST /admin/credits) both organizations are granted at {@code at}. */
  record Grant(Instant at, String amount) {}

  /** A member (who runs nothing) added to both teams at {@code at}, or removed: a seat. */
  record Seat(Instant at, String member, boolean added) {}

  /**
   * An admin's credit note of up to {@code amount} (what both invoices still hold, at most) on
   * both organizations' invoice of the period that starts at {@code period}, at {@code at}: it
   * leaves less on ann's invoice for her corrections' credits to take.
   */
  record Goodwill(Instant at, Instant period, String amount) {}

  final long seed;
  final List<PlanChange> planChanges = new ArrayList<>();
  final List<Grant> grants = new ArrayList<>();
  final List<Seat> seats = new ArrayList<>();
  final List<Goodwill> goodwill = new ArrayList<>();
  final List<Session> sessions = new ArrayList<>();
  final List<Report> reports = new ArrayList<>();
  final List<Correction> corrections = new ArrayList<>();

  /** Whether each period's invoice is drafted at 00:20 and finalized at 01:30, or both at 01:30. */
  final Map<Instant, Boolean> drafted = new TreeMap<>();

  private final Random random;
  private final Set<Instant> taken = new HashSet<>();

  private CorrectionStory(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
  }

  static CorrectionStory generate(long seed) {
    CorrectionStory story = new CorrectionStory(seed);
    story.history();
    story.corrections();
    story.schedule();
    story.account(new Random(seed * 7 + 3));
    return story;
  }

  /**
   * The organizations' plan changes and credits, from a generator of their own (so a seed's
   * history and corrections are what they were before these came): none to two of each, at
   * minutes of March to May away from the invoices' first two hours of a month, at :30 seconds
   * (no event, job or correction is then).
   */
  private void account(Random draws) {
    String plan = "small";
    for (Instant at : instants(draws, draws.nextInt(3))) {
      plan = plan.equals("small") ? "large" : "small";
      planChanges.add(new PlanChange(at, plan));
    }
    for (Instant at : instants(draws, draws.nextInt(3))) {
      grants.add(new Grant(at, BigDecimal.valueOf(50 + draws.nextInt(250), 2).toPlainString()));
    }
    int members = draws.nextInt(4);
    for (int m = 0; m < members; m++) {
      List<Instant> churn = instants(draws, 1 + draws.nextInt(2));
      seats.add(new Seat(churn.get(0), "m" + m, true));
      if (churn.size() > 1) {
        seats.add(new Seat(churn.get(1), "m" + m, false));
      }
    }
    for (Instant period : List.of(MARCH, APRIL)) {
      if (draws.nextBoolean()) {
        Instant end = PERIODS.get(PERIODS.indexOf(period) + 1);
        Instant at = end.plus(Duration.ofMinutes(180 + draws.nextInt(6 * 24 * 60))).plusSeconds(30);
        goodwill.add(
            new Goodwill(
                at, period, BigDecimal.valueOf(1 + draws.nextInt(300), 2).toPlainString()));
      }
    }
  }

  private static List<Instant> instants(Random draws, int count) {
    TreeSet<Instant> instants = new TreeSet<>();
    long minutes = Duration.between(MARCH, LAST_CORRECTION).toMinutes();
    while (instants.size() < count) {
      Instant at = MARCH.plus(Duration.ofMinutes((long) (draws.nextDouble() * minutes)));
      boolean invoicing =
          PERIODS.stream()
              .anyMatch(p -> !at.isBefore(p) && at.isBefore(p.plus(Duration.ofHours(2))));
      if (!invoicing) {
        instants.add(at.plusSeconds(30));
      }
    }
    return List.copyOf(instants);
  }

  /** The corrections in the order they are applied: by the instant of their first post. */
  List<Correction> applied() {
    List<Correction> ordered = new ArrayList<>(corrections);
    ordered.sort(Comparator.comparing((Correction c) -> c.at));
    return ordered;
  }

  // ------------------------------------------------------------------ the history

  private void history() {
    int count = 3 + random.nextInt(3);
    for (int i = 0; i < count; i++) {
      Instant start;
      if (i == 0) { // the organization's first event: no lost session starts before it
        start = minute(MARCH.plus(Duration.ofHours(1)), MARCH.plus(Duration.ofHours(6)));
      } else if (i == 1 && random.nextBoolean()) { // across the end of March
        start = minute(APRIL.minus(Duration.ofHours(12)), APRIL.minus(Duration.ofMinutes(30)));
      } else {
        start = minute(MARCH.plus(Duration.ofHours(7)), LAST_START);
      }
      boolean lost = i > 0 && random.nextInt(5) == 0;
      sessions.add(session("s" + i, start, lost));
    }
    // the organization's last storage level, never lost nor cancelled: a cancelled level holds
    // until the next one, and without one after it, on and on (never all rated: refused)
    Instant last =
        minute(LAST_START.plus(Duration.ofHours(36)), LAST_START.plus(Duration.ofHours(60)));
    Instant lastEnd = last.plus(Duration.ofMinutes(60 + random.nextInt(240)));
    sessions.add(
        new Session(
            "s" + count,
            last,
            lastEnd,
            List.of(new Sized("s" + count + "-0", last, pick(CORES), pick(MEMORY), pick(STORAGE))),
            false));
    int counted = 3 + random.nextInt(5);
    for (int i = 0; i < counted; i++) {
      reports.add(
          new Report(
              "r" + i,
              minute(MARCH.plus(Duration.ofHours(1)), LAST_START.plus(Duration.ofDays(3))),
              1 + random.nextInt(120),
              random.nextInt(6) == 0));
    }
  }

  private Session session(String key, Instant start, boolean lost) {
    taken.add(start);
    Instant end = start.plus(Duration.ofMinutes(60 + random.nextInt(30 * 60)));
    TreeSet<Instant> beats = new TreeSet<>();
    int count = random.nextInt(4);
    for (int i = 0; i < count; i++) {
      beats.add(minute(start.plus(Duration.ofMinutes(1)), end.minus(Duration.ofMinutes(1))));
    }
    List<Sized> steps = new ArrayList<>();
    int cores = 0;
    int n = 0;
    for (Instant at : concat(start, beats)) {
      int c;
      do {
        c = pick(CORES);
      } while (c == cores); // each sized event changes the cores: a step billing stores
      cores = c;
      steps.add(new Sized(key + "-" + n++, at, c, pick(MEMORY), pick(STORAGE)));
    }
    return new Session(key, start, end, List.copyOf(steps), lost);
  }

  private static List<Instant> concat(Instant first, Set<Instant> rest) {
    List<Instant> all = new ArrayList<>(List.of(first));
    all.addAll(rest);
    return all;
  }

  // ------------------------------------------------------------------ the corrections

  private void corrections() {
    List<Item> items = new ArrayList<>();
    List<Sized> lostBeats = new ArrayList<>();
    for (Session s : sessions) {
      if (s.lost()) {
        items.add(new Backfill(s, null));
      } else if (s.steps().size() > 1 && random.nextInt(4) == 0) {
        Sized beat = s.steps().get(1 + random.nextInt(s.steps().size() - 1));
        lostBeats.add(beat);
        items.add(new Backfill(s, beat));
      }
    }
    List<Sized> beats = new ArrayList<>();
    for (Session s : sessions) {
      for (Sized beat : s.steps().subList(1, s.steps().size())) {
        if (!s.lost() && !lostBeats.contains(beat)) {
          beats.add(beat);
        }
      }
    }
    Collections.shuffle(beats, random);
    List<Sized> cancelled = beats.subList(0, Math.min(beats.size(), 1 + random.nextInt(2)));
    for (Sized beat : cancelled) {
      Instant next =
          sessions.stream()
              .filter(s -> !s.lost())
              .flatMap(s -> s.steps().stream())
              .filter(z -> z.at().isAfter(beat.at()))
              .filter(z -> !lostBeats.contains(z) && !cancelled.contains(z))
              .map(Sized::at)
              .min(Comparator.naturalOrder())
              .orElseThrow(); // the last session's
      Session session = sessions.stream().filter(s -> s.steps().contains(beat)).findFirst().get();
      Instant ready = settled(session);
      Instant after = next.plus(Duration.ofHours(2));
      items.add(new CancelStep(session, beat, ready.isAfter(after) ? ready : after));
    }
    for (Report r : reports) {
      int dice = random.nextInt(12);
      if (r.lost()) {
        items.add(new BackfillReport(r));
      } else if (dice < 2) {
        items.add(new CancelReport(r));
      } else if (dice < 6) {
        for (int i = dice < 4 ? 1 : 2; i > 0; i--) {
          items.add(new AmendReport(r, 1 + random.nextInt(150)));
        }
      }
    }
    List<Session> amendable = sessions.stream().filter(s -> !s.lost()).toList();
    int amends = 1 + random.nextInt(3);
    for (int i = 0; i < amends; i++) {
      items.add(amend(amendable.get(random.nextInt(amendable.size()))));
    }
    Collections.shuffle(items, random);
    for (int i = 0; i < items.size(); ) {
      int take = random.nextInt(4) == 0 ? 2 : 1;
      List<Item> mine = List.copyOf(items.subList(i, Math.min(items.size(), i + take)));
      corrections.add(new Correction("fix-" + corrections.size(), mine));
      i += take;
    }
  }

  private AmendSizes amend(Session s) {
    Instant first = s.start().plus(Duration.ofMinutes(1));
    Instant last = s.end().minus(Duration.ofMinutes(1));
    Instant a = anyMinute(first, last);
    Instant b;
    do {
      b = anyMinute(first, last);
    } while (b.equals(a));
    Integer cores = random.nextBoolean() ? pick(CORES) : null;
    Integer memory = random.nextBoolean() ? pick(MEMORY) : null;
    Integer storage = random.nextInt(3) == 0 ? pick(STORAGE) : null;
    if (cores == null && memory == null && storage == null) {
      cores = pick(CORES);
    }
    return new AmendSizes(s, a.isBefore(b) ? a : b, a.isBefore(b) ? b : a, cores, memory, storage);
  }

  /**
   * Each correction posted at an instant from when it is ready: half of them soon (often before
   * their period's invoice), half any time to the end of May; some previewed first, some posted
   * twice at once, some posted again later under their key; each period's invoice drafted first
   * or not, one correction sometimes made while the draft is open.
   */
  private void schedule() {
    for (Correction c : corrections) {
      Instant ready = c.ready();
      c.at =
          random.nextBoolean()
              ? anyMinute(ready, ready.plus(Duration.ofDays(3)))
              : anyMinute(ready, LAST_CORRECTION);
      c.previewed = random.nextBoolean();
      c.racing = !c.previewed && random.nextInt(3) == 0;
    }
    for (Instant period : PERIODS.subList(1, PERIODS.size())) {
      boolean draft = random.nextBoolean();
      drafted.put(period, draft);
      List<Correction> ready =
          corrections.stream().filter(c -> !c.ready().isAfter(period)).toList();
      if (draft && !ready.isEmpty() && random.nextBoolean()) {
        ready.get(random.nextInt(ready.size())).at = period.plus(Duration.ofMinutes(45));
      }
    }
    for (Correction c : corrections) {
      if (random.nextInt(3) == 0) {
        c.again = anyMinute(c.at, c.at.plus(Duration.ofDays(7)));
      }
    }
  }

  // ------------------------------------------------------------------ the events

  /** Ann's events: the history as it was, but what the platform lost. */
  List<Object> annEvents() {
    List<Object> events = new ArrayList<>();
    Set<Sized> lost =
        corrections.stream()
            .flatMap(c -> c.items.stream())
            .filter(i -> i instanceof Backfill b && b.step() != null)
            .map(i -> ((Backfill) i).step())
            .collect(Collectors.toSet());
    for (Session s : sessions) {
      if (!s.lost()) {
        List<Sized> kept = s.steps().stream().filter(z -> !lost.contains(z)).toList();
        sessionEvents(events, ANN, s, kept, z -> eventId(ANN, z.id()));
      }
    }
    for (Report r : reports) {
      if (!r.lost()) {
        events.add(report(ANN, eventId(ANN, r.key()), r.at(), r.quantity()));
      }
    }
    events.addAll(orgEvents(ANN));
    return events;
  }

  /** Ben's events: the history as corrected, known from the start. */
  List<Object> benEvents() {
    List<Item> items = applied().stream().flatMap(c -> c.items.stream()).toList();
    Set<Sized> cancelled = new HashSet<>();
    Map<String, Integer> quantities = new TreeMap<>();
    reports.forEach(r -> quantities.put(r.key(), r.quantity()));
    for (Item item : items) {
      if (item instanceof CancelStep c) {
        cancelled.add(c.step());
      } else if (item instanceof CancelReport c) {
        quantities.remove(c.report().key());
      } else if (item instanceof AmendReport a) {
        quantities.put(a.report().key(), a.quantity());
      }
    }
    Map<String, Steps> cores = new TreeMap<>();
    Map<String, Steps> memory = new TreeMap<>();
    Map<String, TreeSet<Instant>> instants = new TreeMap<>();
    Steps storage = new Steps();
    for (Session s : sessions) {
      Steps c = new Steps();
      Steps m = new Steps();
      TreeSet<Instant> at = new TreeSet<>();
      for (Sized z : s.steps()) {
        if (!cancelled.contains(z)) {
          c.steps.put(z.at(), z.cores());
          m.steps.put(z.at(), z.memoryGb());
          storage.steps.put(z.at(), z.storageGb());
          at.add(z.at());
        }
      }
      cores.put(s.key(), c);
      memory.put(s.key(), m);
      instants.put(s.key(), at);
    }
    for (Item item : items) {
      if (item instanceof AmendSizes a) {
        String key = a.session().key();
        if (a.cores() != null) {
          cores.get(key).holding(a.cores(), a.from(), a.to());
        }
        if (a.memoryGb() != null) {
          memory.get(key).holding(a.memoryGb(), a.from(), a.to());
        }
        if (a.storageGb() != null) {
          storage.holding(a.storageGb(), a.from(), a.to());
        }
        instants.get(key).addAll(List.of(a.from(), a.to()));
      }
    }
    List<Object> events = new ArrayList<>();
    int[] n = {0};
    for (Session s : sessions) {
      List<Sized> steps = new ArrayList<>();
      for (Instant at : instants.get(s.key())) {
        steps.add(
            new Sized(
                s.key() + "-" + n[0]++,
                at,
                cores.get(s.key()).at(at),
                memory.get(s.key()).at(at),
                storage.at(at)));
      }
      sessionEvents(events, BEN, s, steps, z -> eventId(BEN, z.id()));
    }
    for (Report r : reports) {
      if (quantities.containsKey(r.key())) {
        events.add(report(BEN, eventId(BEN, r.key()), r.at(), quantities.get(r.key())));
      }
    }
    events.addAll(orgEvents(BEN));
    return events;
  }

  /** A session's event as delivered: which hook, and the event. */
  record Delivery(String hook, SessionEvent event) {}

  private static void sessionEvents(
      List<Object> events,
      String org,
      Session s,
      List<Sized> steps,
      java.util.function.Function<Sized, String> ids) {
    for (Sized z : steps) {
      events.add(
          new Delivery(
              z.at().equals(s.start()) ? "created" : "heartbeat",
              new SessionEvent(
                  ids.apply(z),
                  z.at(),
                  s.id(org),
                  owner(org),
                  new ResourceSize(
                      BigDecimal.valueOf(z.cores()),
                      BigDecimal.valueOf(z.memoryGb()),
                      BigDecimal.valueOf(z.storageGb())),
                  org,
                  null,
                  null)));
    }
    events.add(
        new Delivery(
            "terminated",
            new SessionEvent(
                eventId(org, s.key() + "-end"),
                s.end(),
                s.id(org),
                owner(org),
                null,
                org,
                null,
                null)));
  }

  private static UsageReport report(String org, String id, Instant at, int quantity) {
    return new UsageReport(id, at, owner(org), METER, BigDecimal.valueOf(quantity), null, org);
  }

  /** The team's owner, who runs its sessions and reports its counter (one seat). */
  static String owner(String org) {
    return org + "-owner";
  }

  /**
   * The team's events: created (small, USD) before any other of its events, then its seat churn,
   * alike for both.
   */
  List<OrganizationEvent> orgEvents(String org) {
    List<OrganizationEvent> events = new ArrayList<>();
    events.add(
        new OrganizationEvent(
            eventId(org, "created"),
            MARCH.plus(Duration.ofMinutes(30)),
            OrganizationEvent.Type.CREATED,
            org,
            new OrganizationEvent.Organization(org, owner(org), "USD", "small"),
            null));
    for (Seat seat : seats) {
      String user = org + "-" + seat.member();
      events.add(
          new OrganizationEvent(
              eventId(org, seat.member() + (seat.added() ? "-added" : "-removed")),
              seat.at(),
              seat.added()
                  ? OrganizationEvent.Type.MEMBER_ADDED
                  : OrganizationEvent.Type.MEMBER_REMOVED,
              org,
              null,
              new OrganizationEvent.Membership(
                  user, seat.added() ? OrganizationEvent.Role.MEMBER : null)));
    }
    return events;
  }

  static String eventId(String org, String key) {
    return org + "-" + key;
  }

  /** What corrects a session waits until it is rated to its end: two hours after it. */
  private static Instant settled(Session s) {
    return s.end().plus(Duration.ofHours(2));
  }

  /** A step function as billing keeps one: each value holds from its instant to the next. */
  private static final class Steps {
    final TreeMap<Instant, Integer> steps = new TreeMap<>();

    int at(Instant t) {
      Map.Entry<Instant, Integer> step = steps.floorEntry(t);
      return step == null ? 0 : step.getValue();
    }

    /** {@code value} over {@code [from, to)}, and from {@code to} what it was there. */
    void holding(int value, Instant from, Instant to) {
      int after = at(to);
      steps.subMap(from, true, to, true).clear();
      steps.put(from, value);
      steps.put(to, after);
    }
  }

  // ------------------------------------------------------------------ random draws

  /** A whole minute in {@code [from, to]} no event of the organization is at yet, taken. */
  private Instant minute(Instant from, Instant to) {
    Instant at;
    do {
      at = anyMinute(from, to);
    } while (!taken.add(at));
    return at;
  }

  private Instant anyMinute(Instant from, Instant to) {
    long first = Math.floorDiv(from.getEpochSecond() + 59, 60);
    long last = Math.floorDiv(to.getEpochSecond(), 60);
    return Instant.ofEpochSecond(60 * (first + (long) (random.nextDouble() * (last - first + 1))));
  }

  private int pick(int[] values) {
    return values[random.nextInt(values.length)];
  }

  /** The story as text, for a failure's message. */
  String describe() {
    StringBuilder text = new StringBuilder("seed " + seed + " (-Dcorrections.seed=" + seed + ")\n");
    sessions.forEach(s -> text.append("  ").append(s).append('\n'));
    reports.forEach(r -> text.append("  ").append(r).append('\n'));
    text.append("  invoices drafted first: ").append(drafted).append('\n');
    planChanges.forEach(c -> text.append("  ").append(c).append('\n'));
    grants.forEach(g -> text.append("  ").append(g).append('\n'));
    seats.forEach(g -> text.append("  ").append(g).append('\n'));
    goodwill.forEach(g -> text.append("  ").append(g).append('\n'));
    applied().forEach(c -> text.append("  ").append(c).append('\n'));
    return text.toString();
  }
}
