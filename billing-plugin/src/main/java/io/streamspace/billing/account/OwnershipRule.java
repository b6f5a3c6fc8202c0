package io.streamspace.billing.account;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An organization always has an Owner: which of its events the plugin refuses to apply, decided
 * from all of them by event time, so that any order of delivery gives the same answer.
 *
 * <p>The rule. The events are taken instant by instant, in event time; at one instant, each
 * member's event with the greatest id decides their role (as {@code billing_memberships} breaks
 * ties).
 *
 * <ul>
 *   <li>The organization's creation is its earliest {@code org.created} (ties by the smaller
 *       id). Any other {@code org.created} is a <em>duplicate creation</em>: refused, its owner
 *       gets nothing from it (the Owner is who pays; only a membership event may make another
 *       one).
 *   <li>Once the organization has an Owner, an instant whose events would leave it with none is
 *       refused for one of those Owners: the one whose deciding event has the greatest id (the
 *       event that, taken in id order, removed or demoted the <em>last</em> Owner). All of that
 *       member's events at that instant that do not make them Owner are refused (<em>last
 *       owner</em>); they stay Owner, as the platform should have refused the change. The
 *       others' events of that instant apply.
 *   <li>Everything else applies. A refusal is for good: an Owner kept this way stays Owner when
 *       another Owner is added later; the platform removes or demotes them again, with a new
 *       event, once the organization has another Owner.
 * </ul>
 *
 * <p>Because a whole instant is decided at once, an Owner's demotion at the same instant as
 * another member's promotion applies whatever their ids (a transfer sent as two events); one
 * at an earlier instant than the promotion is refused. The memberships in effect are then those
 * of the events not refused, each member's latest by event time: the refused events are
 * exactly those that would take the Owner role from the last Owner.
 *
 * <p>Events before the organization has an Owner (memberships sent before its creation, by
 * event time) refuse nothing: there is no Owner to keep. {@code org.deleted} decides no role.
 */
public final class OwnershipRule {

  /** Why an organization event is kept but not applied. */
  public enum Refusal {
    /** It would have left the organization without an Owner. */
    LAST_OWNER("last_owner"),
    /** An org.created of an organization created earlier (by event time, ties by id). */
    DUPLICATE_CREATION("duplicate_creation");

    private final String wireName;

    Refusal(String wireName) {
      this.wireName = wireName;
    }

    /** Its name in the database ({@code billing_org_events.refused}) and in logs. */
    public String wireName() {
      return wireName;
    }
  }

  /**
   * An organization event as the rule reads it.
   *
   * @param type   its wire name, {@code org.created}, {@code org.member_added}, ...
   * @param userId the member (org.created's owner); null for org.deleted
   * @param role   the member's role from then on; null when they leave, and for org.deleted
   */
  public record Event(String id, String type, String userId, MemberRole role, Instant at) {

    private boolean creation() {
      return "org.created".equals(type);
    }
  }

  private static final Comparator<Event> BY_TIME_THEN_ID =
      Comparator.comparing(Event::at).thenComparing(Event::id);

  private OwnershipRule() {}

  /** The events of one organization that are refused, by id; any order of {@code events}. */
  public static Map<String, Refusal> refusals(List<Event> events) {
    List<Event> sorted =
        events.stream().filter(e -> e.userId() != null).sorted(BY_TIME_THEN_ID).toList();
    Map<String, Refusal> refused = new LinkedHashMap<>();
    sorted.stream()
        .filter(Event::creation)
        .skip(1) // the first is the creation
        .forEach(e -> refused.put(e.id(), Refusal.DUPLICATE_CREATION));

    Set<String> owners = new HashSet<>();
    for (List<Event> instant : byInstant(sorted)) {
      // each member's deciding event at this instant: the last in id order
      Map<String, Event> deciding = new LinkedHashMap<>();
      for (Event e : instant) {
        if (!refused.containsKey(e.id())) {
          deciding.put(e.userId(), e);
        }
      }
      Set<String> after = new HashSet<>(owners);
      deciding.forEach(
          (user, e) -> {
            if (e.role() == MemberRole.OWNER) {
              after.add(user);
            } else {
              after.remove(user);
            }
          });
      if (!owners.isEmpty() && after.isEmpty()) {
        Set<String> before = owners;
        Event last =
            deciding.values().stream()
                .filter(e -> before.contains(e.userId()))
                .max(Comparator.comparing(Event::id))
                .orElseThrow(); // every Owner lost the role at this instant
        for (Event e : instant) {
          if (e.userId().equals(last.userId()) && e.role() != MemberRole.OWNER) {
            refused.put(e.id(), Refusal.LAST_OWNER);
          }
        }
        after.add(last.userId());
      }
      owners = after;
    }
    return refused;
  }

  /** The events grouped by instant, in time order, each group in id order. */
  private static List<List<Event>> byInstant(List<Event> sorted) {
    Map<Instant, List<Event>> groups = new TreeMap<>();
    for (Event e : sorted) {
      groups.computeIfAbsent(e.at(), at -> new ArrayList<>()).add(e);
    }
    return new ArrayList<>(groups.values());
  }
}
