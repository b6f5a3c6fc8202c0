package io.streamspace.billing.corrections;

import io.streamspace.billing.corrections.History.SessionSteps;
import io.streamspace.billing.corrections.RecordedUsage.Organization;
import io.streamspace.billing.corrections.RecordedUsage.Session;
import io.streamspace.billing.corrections.StepFunction.Segment;
import io.streamspace.billing.corrections.StepFunction.Window;
import io.streamspace.billing.rating.Rerating;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a correction rates again: each session and organization's storage whose corrected history
 * it changes, over the whole slices from the first change to the last, within what was rated
 * (its watermark; a backfilled session ended by then is rated up to its end, and an organization's
 * storage never rated up to the last cut before the cap, as calculate-usage would), with the
 * corrected steps to rate them from. Beyond the watermark calculate-usage rates what is recorded,
 * so a correction that would change that (a cancel or amend of time not rated yet) is refused.
 * Pure.
 *
 * @param subjects the subjects and their ranges, for {@link Rerating#rate}
 * @param steps their corrected steps over those ranges
 * @param watermarks the subjects whose watermark the correction moves, and where to
 */
record RatedAgain(
    List<Rerating.Subject> subjects, List<Rerating.Step> steps, List<Watermark> watermarks) {

  /** A subject's watermark moved to {@code to}: session id {@code ""} is the storage's. */
  record Watermark(String orgId, String sessionId, Instant to) {}

  /** What the correction reads to plan: the recorded usage before and after its writes. */
  record Reads(
      RecordedUsage before,
      RecordedUsage after,
      List<Entry> applied,
      List<Entry> mine,
      Set<String> backfilledSessions,
      Cells cells,
      Instant cap) {}

  static RatedAgain plan(Reads reads) throws CorrectionRefused {
    History old = History.of(reads.before(), reads.applied());
    List<Entry> all = new ArrayList<>(reads.applied());
    all.addAll(reads.mine());
    History corrected = History.of(reads.after(), all);
    History recorded = History.of(reads.after(), List.of());
    RatedAgain plan = new RatedAgain(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (Session after : reads.after().sessions().values()) {
      plan.session(reads, after, old, corrected, recorded);
    }
    for (Organization org : reads.after().organizations().values()) {
      plan.storage(
          reads,
          org,
          old.storage(org.orgId()),
          corrected.storage(org.orgId()),
          recorded.storage(org.orgId()));
    }
    return plan;
  }

  private void session(Reads reads, Session after, History old, History corrected, History recorded)
      throws CorrectionRefused {
    Session before = reads.before().sessions().get(after.sessionId());
    SessionSteps was = before == null ? SessionSteps.NONE : old.session(after.sessionId());
    SessionSteps is = corrected.session(after.sessionId());
    SessionSteps kept = recorded.session(after.sessionId());
    Organization org = reads.after().organizations().get(after.orgId());
    Window window = union(was.cpu().differences(is.cpu()), was.memory().differences(is.memory()));
    for (String meter : meters(was, is)) {
      window = union(window, was.held(meter).differences(is.held(meter)));
    }
    window = union(window, times(before, after));
    if (window == null) {
      return;
    }
    Instant end = earliest(after.end(), org.closedAt());
    Instant watermark = after.ratedUntil();
    if (reads.backfilledSessions().contains(after.sessionId()) && end != null) {
      watermark = latest(watermark, end);
    }
    Instant from = watermark == null ? after.start() : watermark;
    boolean same =
        is.cpu().sameWithin(kept.cpu(), from, end)
            && is.memory().sameWithin(kept.memory(), from, end);
    for (String meter : meters(is, kept)) {
      same &= is.held(meter).sameWithin(kept.held(meter), from, end);
    }
    if (!same) {
      throw notRated(reads, after.orgId(), "session " + after.sessionId(), watermark);
    }
    Instant start = before == null ? after.start() : earliest(before.start(), after.start());
    Range range = range(reads.cells(), window, start, watermark);
    if (range != null) {
      subjects.add(
          new Rerating.Subject(
              after.orgId(), after.sessionId(), org.currency(), range.from(), range.to()));
      Instant stop = end == null || end.isAfter(range.to()) ? range.to() : end;
      Instant begin = after.start().isAfter(range.from()) ? after.start() : range.from();
      sizes(after, is, begin, stop);
      for (String meter : is.held().keySet()) {
        for (Segment s : is.held(meter).segments(begin, stop)) {
          steps.add(
              new Rerating.Step(
                  after.orgId(),
                  after.sessionId(),
                  s.start(),
                  s.end(),
                  null,
                  null,
                  null,
                  meter,
                  s.value()));
        }
      }
    }
    if (watermark != null && !watermark.equals(after.ratedUntil())) {
      watermarks.add(new Watermark(after.orgId(), after.sessionId(), watermark));
    }
  }

  private void storage(
      Reads reads, Organization org, StepFunction was, StepFunction is, StepFunction kept)
      throws CorrectionRefused {
    Window window = was.differences(is);
    if (window == null) {
      return;
    }
    Instant watermark = org.ratedUntil();
    if (watermark == null) {
      Instant stop = earliest(reads.cap(), org.closedAt());
      watermark = reads.cells().floor(stop);
    }
    if (!is.sameWithin(kept, watermark, org.closedAt())) {
      throw notRated(reads, org.orgId(), "the storage of " + org.orgId(), watermark);
    }
    // storage's time starts at the first level ever, before or after the correction's writes
    Organization before = reads.before().organizations().get(org.orgId());
    Instant first = earliest(before == null ? null : before.firstLevel(), org.firstLevel());
    Range range = range(reads.cells(), window, first == null ? window.start() : first, watermark);
    if (range != null) {
      subjects.add(new Rerating.Subject(org.orgId(), "", org.currency(), range.from(), range.to()));
      Instant stop = earliest(range.to(), org.closedAt());
      for (Segment s : is.segments(range.from(), stop)) {
        steps.add(
            new Rerating.Step(
                org.orgId(), "", s.start(), s.end(), null, null, s.value(), null, null));
      }
    }
    if (!watermark.equals(org.ratedUntil())) {
      watermarks.add(new Watermark(org.orgId(), "", watermark));
    }
  }

  /** A session's size steps: cores and memory, cut wherever either changes. */
  private void sizes(Session session, SessionSteps is, Instant from, Instant to) {
    TreeSet<Instant> cuts = new TreeSet<>();
    is.cpu().segments(from, to).forEach(s -> cuts.add(s.start()));
    is.memory().segments(from, to).forEach(s -> cuts.add(s.start()));
    for (Instant start : cuts) {
      Instant next = cuts.higher(start);
      steps.add(
          new Rerating.Step(
              session.orgId(),
              session.sessionId(),
              start,
              next == null ? to : next,
              is.cpu().at(start),
              is.memory().at(start),
              null,
              null,
              null));
    }
  }

  /** The whole slices of {@code window} from {@code start} on, within the watermark; or null. */
  private record Range(Instant from, Instant to) {}

  private static Range range(Cells cells, Window window, Instant start, Instant watermark) {
    if (watermark == null) {
      return null;
    }
    Instant from = latest(cells.floor(window.start()), start);
    Instant to =
        window.end() == null ? watermark : earliest(cells.ceiling(window.end()), watermark);
    return from.isBefore(to) ? new Range(from, to) : null;
  }

  /** Where a session's time changed: its start moved, its end moved, or it is new. */
  private static Window times(Session before, Session after) {
    if (before == null) {
      return new Window(after.start(), after.end());
    }
    Window window = null;
    if (!before.start().equals(after.start())) {
      window =
          new Window(
              earliest(before.start(), after.start()), latest(before.start(), after.start()));
    }
    if (before.end() == null ? after.end() != null : !before.end().equals(after.end())) {
      Instant a = before.end();
      Instant b = after.end();
      window =
          union(
              window,
              new Window(
                  a == null ? b : b == null ? a : earliest(a, b),
                  a == null || b == null ? null : latest(a, b)));
    }
    return window;
  }

  private static Set<String> meters(SessionSteps a, SessionSteps b) {
    Set<String> meters = new TreeSet<>(a.held().keySet());
    meters.addAll(b.held().keySet());
    return meters;
  }

  private static Window union(Window a, Window b) {
    if (a == null || b == null) {
      return a == null ? b : a;
    }
    Instant end = a.end() == null || b.end() == null ? null : latest(a.end(), b.end());
    return new Window(earliest(a.start(), b.start()), end);
  }

  private static CorrectionRefused notRated(Reads reads, String orgId, String what, Instant rated) {
    String field =
        reads.mine().stream()
            .filter(e -> orgId.equals(e.orgId()))
            .map(Entry::field)
            .findFirst()
            .orElse("items");
    return new CorrectionRefused(
        field,
        "it changes "
            + what
            + (rated == null ? ", which is not rated yet" : " after " + rated + ", not rated yet")
            + ": a correction corrects rated time (calculate-usage rates it hourly; correct the"
            + " rest after its next run)");
  }

  private static Instant earliest(Instant a, Instant b) {
    return a == null ? b : b == null || a.isBefore(b) ? a : b;
  }

  private static Instant latest(Instant a, Instant b) {
    return a == null ? b : b == null || a.isAfter(b) ? a : b;
  }
}
