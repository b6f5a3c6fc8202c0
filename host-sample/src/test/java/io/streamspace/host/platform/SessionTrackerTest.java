package io.streamspace.host.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.plugin.api.session.SessionControl;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sample host's session control, in memory: no database, no plugin. */
class SessionTrackerTest {

  @Test
  void aSnapshotSuspensionIsMarkedAndShowsTheUserTheRestOfTheReason() {
    List<String> published = new ArrayList<>();
    SessionTracker tracker = new SessionTracker((type, payload) -> published.add(type + payload));
    tracker.started("s1", "ann");
    tracker.started("s2", "bob");

    tracker.suspend("s1", SessionControl.SNAPSHOT + "The prepaid balance is spent.");
    tracker.suspend("s2", "Over the storage limit.");
    tracker.resume("s1");
    tracker.suspend("s1", SessionControl.SNAPSHOT + "Spent again.");

    assertEquals(
        List.of(
            new SessionTracker.TrackedSession("s1", "ann", "Spent again.", true),
            new SessionTracker.TrackedSession("s2", "bob", "Over the storage limit.", false)),
        tracker.all());
    assertEquals(
        List.of(
            "host.session.suspended{\"session_id\":\"s1\",\"user_id\":\"ann\",\"snapshot\":true}",
            "host.session.suspended{\"session_id\":\"s2\",\"user_id\":\"bob\",\"snapshot\":false}",
            "host.session.resumed{\"session_id\":\"s1\",\"user_id\":\"ann\"}",
            "host.session.suspended{\"session_id\":\"s1\",\"user_id\":\"ann\",\"snapshot\":true}"),
        published);
  }

  @Test
  void aHibernationIsASnapshotSuspensionThatShowsItsWholeReason() {
    List<String> published = new ArrayList<>();
    SessionTracker tracker = new SessionTracker((type, payload) -> published.add(type + payload));
    tracker.started("s1", "ann");

    tracker.suspend("s1", SessionControl.HIBERNATED + "nobody used it for 60 minutes.");

    assertEquals(
        List.of(
            new SessionTracker.TrackedSession(
                "s1", "ann", "hibernated: nobody used it for 60 minutes.", true)),
        tracker.all());
    assertEquals(
        List.of(
            "host.session.suspended{\"session_id\":\"s1\",\"user_id\":\"ann\",\"snapshot\":true}"),
        published);
  }
}
