package io.streamspace.host.plugins;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether this node should get traffic ({@code /api/health/ready}), and why not. A node is ready
 * when its plugins are started, the database answers and every enabled plugin is started; and,
 * until the node has once been ready, when every enabled plugin is caught up with the journal
 * (its oldest entry not consumed at most {@link #CAUGHT_UP_SECONDS} old).
 *
 * <p>Why the lag counts only until then: the journal and its lag are the cluster's, not the
 * node's, so a plugin falling behind later would take every node out of service at once, and
 * the platform could then not even be told to slow down (intake answers 503 {@code
 * journal_backlog} for that, and {@code /api/health} and the metrics show the lag). A new node,
 * though, is kept out until its plugins have caught up, so its first answers are current.
 */
final class Readiness {

  /**
   * A plugin is caught up while its oldest entry not yet consumed is at most this old: a host
   * under steady intake is always a few entries behind, one replaying a backlog is minutes.
   */
  static final long CAUGHT_UP_SECONDS = 30;

  /** An enabled plugin as readiness sees it; {@code lag} null when it never consumed. */
  record EnabledPlugin(String id, boolean started, String state, JournalLag lag) {}

  private volatile boolean readyOnce;

  /** The reasons this node is not ready; none when it is. */
  List<String> notReadyBecause(
      boolean pluginsStarted, boolean databaseAnswers, List<EnabledPlugin> enabled) {
    if (!pluginsStarted) {
      return List.of("plugins are starting");
    }
    if (!databaseAnswers) {
      return List.of("the database does not answer");
    }
    List<String> reasons = new ArrayList<>();
    for (EnabledPlugin plugin : enabled) {
      JournalLag behind = plugin.lag();
      if (!plugin.started()) {
        reasons.add("plugin " + plugin.id() + " is " + plugin.state());
      } else if (!readyOnce && behind != null && behind.seconds() > CAUGHT_UP_SECONDS) {
        reasons.add(
            "plugin %s is %d events (%d s) behind the journal"
                .formatted(plugin.id(), behind.events(), behind.seconds()));
      }
    }
    if (reasons.isEmpty()) {
      readyOnce = true;
    }
    return reasons;
  }
}
