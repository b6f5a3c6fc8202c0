package io.streamspace.billing.corrections;

import io.streamspace.billing.corrections.RecordedUsage.Row;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The recorded usage read through corrections' entries: each session's cores, memory and held
 * meters and each organization's storage level as step functions, the steps of cancelled events
 * left out, then each amended range set, entry after entry in the order given (a later
 * correction's amend over an earlier one's wins). Backfilled events are in the recorded usage
 * already: they were stored as intake stores events. Pure.
 */
final class History {

  /** A session's quantities over time; a held meter it never held is not in {@code held}. */
  record SessionSteps(StepFunction cpu, StepFunction memory, Map<String, StepFunction> held) {

    static final SessionSteps NONE =
        new SessionSteps(StepFunction.NOTHING, StepFunction.NOTHING, Map.of());

    StepFunction held(String meter) {
      return held.getOrDefault(meter, StepFunction.NOTHING);
    }
  }

  private final Map<String, SessionSteps> sessions;
  private final Map<String, StepFunction> storage;

  private History(Map<String, SessionSteps> sessions, Map<String, StepFunction> storage) {
    this.sessions = sessions;
    this.storage = storage;
  }

  /** {@code recorded} read through {@code entries}, in their order. */
  static History of(RecordedUsage recorded, List<Entry> entries) {
    Set<String> cancelled = new HashSet<>();
    for (Entry entry : entries) {
      if (entry instanceof Entry.Cancel cancel) {
        cancelled.add(cancel.eventId());
      }
    }
    Map<String, SessionSteps> sessions = new LinkedHashMap<>();
    recorded
        .sessions()
        .forEach(
            (id, session) -> {
              List<Row> sizes = kept(session.sizes(), cancelled);
              Map<String, List<Row>> byMeter = new TreeMap<>();
              kept(session.held(), cancelled)
                  .forEach(r -> byMeter.computeIfAbsent(r.meter(), m -> new ArrayList<>()).add(r));
              Map<String, StepFunction> held = new TreeMap<>();
              byMeter.forEach((meter, rows) -> held.put(meter, function(rows, Row::first)));
              sessions.put(
                  id,
                  new SessionSteps(
                      function(sizes, Row::first), function(sizes, Row::second), held));
            });
    Map<String, StepFunction> storage = new LinkedHashMap<>();
    recorded
        .organizations()
        .forEach((id, org) -> storage.put(id, function(kept(org.levels(), cancelled), Row::first)));
    History history = new History(sessions, storage);
    for (Entry entry : entries) {
      if (entry instanceof Entry.AmendSizes amend) {
        history.amend(amend);
      }
    }
    return history;
  }

  SessionSteps session(String sessionId) {
    return sessions.getOrDefault(sessionId, SessionSteps.NONE);
  }

  StepFunction storage(String orgId) {
    return storage.getOrDefault(orgId, StepFunction.NOTHING);
  }

  private void amend(Entry.AmendSizes a) {
    SessionSteps steps = sessions.get(a.sessionId());
    if (steps != null) {
      Map<String, StepFunction> held = new TreeMap<>(steps.held());
      a.resources()
          .forEach(
              (meter, amount) ->
                  held.put(meter, steps.held(meter).holding(amount, a.from(), a.to())));
      sessions.put(
          a.sessionId(),
          new SessionSteps(
              set(steps.cpu(), a.cpuCores(), a), set(steps.memory(), a.memoryGb(), a), held));
    }
    if (a.storageGb() != null && storage.containsKey(a.orgId())) {
      storage.put(a.orgId(), storage.get(a.orgId()).holding(a.storageGb(), a.from(), a.to()));
    }
  }

  private static StepFunction set(StepFunction f, BigDecimal value, Entry.AmendSizes a) {
    return value == null ? f : f.holding(value, a.from(), a.to());
  }

  private static List<Row> kept(List<Row> rows, Set<String> cancelled) {
    return rows.stream()
        .filter(r -> r.eventId() == null || !cancelled.contains(r.eventId()))
        .toList();
  }

  private static StepFunction function(List<Row> rows, Function<Row, BigDecimal> value) {
    Map<Instant, BigDecimal> steps = new TreeMap<>();
    rows.forEach(r -> steps.put(r.at(), value.apply(r)));
    return StepFunction.of(steps);
  }
}
