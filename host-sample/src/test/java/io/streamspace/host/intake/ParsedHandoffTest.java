package io.streamspace.host.intake;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.common.http.Json;
import io.streamspace.host.journal.EventJournal;
import io.streamspace.host.journal.JournalEntry;
import io.streamspace.host.plugins.ActivePlugin;
import io.streamspace.plugin.api.PlatformPlugin;
import io.streamspace.plugin.api.PluginContext;
import io.streamspace.plugin.api.event.SessionEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The consumer on the node whose intake journaled an event hands the plugin the event as intake
 * parsed it, not its body read back: the same event either way, kept only until every consumer
 * here has been handed it.
 */
class ParsedHandoffTest {

  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
  private static final String AT = "\"occurred_at\":\"2025-06-01T11:00:00Z\"";

  private final ObjectMapper mapper = Json.newMapper();
  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  private final EventParser parser = new EventParser(mapper, clock, Duration.ofDays(35));
  private final JournalHandoff handoff = new JournalHandoff(mapper, clock);
  private final Recording recording = new Recording();
  private final ActivePlugin plugin = new ActivePlugin("recording", recording, null);

  /** Keeps the session events it is handed, the very objects. */
  static final class Recording implements PlatformPlugin {
    final List<SessionEvent> heartbeats = new ArrayList<>();

    @Override
    public void onSessionHeartbeat(PluginContext context, SessionEvent event) {
      heartbeats.add(event);
    }
  }

  @Test
  void everyEventAsIntakeParsesIt_equalsTheEventItsJournaledBodyReadsAs_decimalsWrittenAnyWay()
      throws Exception {
    // each type, with decimals written with trailing zeros or as exponents (4.50, 1E+2, 0.0,
    // 12.50), attributes in no particular order and an offset time
    String batch =
        "["
            + "{\"id\":\"p-1\",\"type\":\"user.created\",\"occurred_at\":\"2025-06-01T13:00:00+02:00\","
            + "\"user\":{\"user_id\":\"u1\",\"plan\":\"pro\",\"email\":\"u1@example.com\",\"currency\":\"VND\"}},"
            + "{\"id\":\"p-2\",\"type\":\"session.created\","
            + AT
            + ",\"session\":{\"session_id\":\"s1\",\"user_id\":\"u1\",\"org_id\":\"acme\","
            + "\"cpu_cores\":4.50,\"memory_gb\":1E+2,\"storage_gb\":0.0}},"
            + "{\"id\":\"p-3\",\"type\":\"session.heartbeat\","
            + AT
            + ",\"session\":{\"session_id\":\"s1\",\"user_id\":\"u1\"}},"
            + "{\"id\":\"p-4\",\"type\":\"session.terminated\","
            + AT
            + ",\"session\":{\"session_id\":\"s1\",\"user_id\":\"u1\"}},"
            + "{\"id\":\"p-5\",\"type\":\"usage.reported\","
            + AT
            + ",\"usage\":{\"user_id\":\"u1\",\"meter\":\"bandwidth_gb\",\"quantity\":12.50,"
            + "\"session_id\":\"s1\"}},"
            + "{\"id\":\"p-6\",\"type\":\"org.created\","
            + AT
            + ",\"org\":{\"org_id\":\"acme\",\"name\":\"Acme\",\"owner_user_id\":\"u1\","
            + "\"currency\":\"USD\",\"plan\":\"pro\"}},"
            + "{\"id\":\"p-7\",\"type\":\"org.member_added\","
            + AT
            + ",\"membership\":{\"org_id\":\"acme\",\"user_id\":\"u2\",\"role\":\"admin\"}},"
            + "{\"id\":\"p-8\",\"type\":\"org.deleted\","
            + AT
            + ",\"org\":{\"org_id\":\"acme\"}}"
            + "]";

    List<PlatformEvent> parsed = parser.parse(batch.getBytes(UTF_8));

    assertEquals(8, parsed.size());
    for (PlatformEvent event : parsed) {
      String body = event.wire();
      assertEquals(event, readBack(body), "event " + event.id() + " read back from " + body);
    }
  }

  @Test
  void anEventIntakeJournaledHere_isHandedAsParsed_notReadBackFromItsBody() {
    PlatformEvent event = heartbeat("h-1");
    handoff.journaled(0, 7, event);

    // a body that no longer reads as an event would be reported and not handed, were it read
    handoff.handOff(journaled(7, "h-1", "not an event"), plugin);

    assertEquals(1, recording.heartbeats.size());
    assertSame(((PlatformEvent.SessionChanged) event).event(), recording.heartbeats.get(0));
  }

  @Test
  void anEntryNotJournaledHere_orAnotherEventsAtThatPosition_isReadBackFromItsBody()
      throws Exception {
    handoff.journaled(0, 7, heartbeat("h-1"));
    PlatformEvent other = heartbeat("h-2");
    String otherBody = other.wire();

    handoff.handOff(journaled(8, "h-2", otherBody), plugin);
    // position 7 holds h-1 here: an entry of h-2 there is read from its body
    handoff.handOff(journaled(7, "h-2", otherBody), plugin);

    assertEquals(
        List.of(((PlatformEvent.SessionChanged) other).event(), recording.heartbeats.get(0)),
        recording.heartbeats);
    assertEquals(2, recording.heartbeats.size());
  }

  @Test
  void aConsumerAskingByPositionAndIdFirst_isHandedKeptEventsWithoutTheEntry_andToldOfOthers() {
    PlatformEvent event = heartbeat("q-1");
    handoff.journaled(3, 40, event);

    assertTrue(handoff.handOffKept(3, 40, "q-1", plugin));
    assertFalse(handoff.handOffKept(3, 41, "q-2", plugin), "not kept: the consumer reads it");
    assertFalse(handoff.handOffKept(3, 40, "q-9", plugin), "another event's position");

    assertEquals(List.of(((PlatformEvent.SessionChanged) event).event()), recording.heartbeats);
  }

  @Test
  void eventsAtTheSameOffsetOfTwoPartitions_areEachHandedAsParsed() {
    // on Kafka, offsets of different partitions run side by side
    PlatformEvent inFirst = heartbeat("p0-5");
    PlatformEvent inSecond = heartbeat("p1-5");
    handoff.journaled(0, 5, inFirst);
    handoff.journaled(1, 5, inSecond);

    handoff.handOff(journaled(1, 5, "p1-5", "not an event"), plugin);
    handoff.handOff(journaled(0, 5, "p0-5", "not an event"), plugin);

    assertEquals(
        List.of(
            ((PlatformEvent.SessionChanged) inSecond).event(),
            ((PlatformEvent.SessionChanged) inFirst).event()),
        recording.heartbeats);
  }

  @Test
  void theBoundIsSharedAmongThePartitions_soAboutAsManyEventsAreKeptInAll() {
    handoff.journaled(0, 1, heartbeat("a-1"));
    handoff.journaled(1, 1, heartbeat("b-1"));

    // with two partitions, each keeps half of ParsedEvents.MOST positions behind its newest
    handoff.journaled(1, 1 + ParsedEvents.MOST / 2, heartbeat("b-far"));

    assertEquals(2, handoff.kept(), "b-1 went, a-1 and b-far stay");
  }

  @Test
  void keptEventsGoOnceEveryConsumerHereWasHandedThem_andNoneStaysTheBoundBehindTheNewest() {
    handoff.journaled(0, 1, heartbeat("k-1"));
    handoff.journaled(0, 2, heartbeat("k-2"));
    handoff.journaled(0, 3, heartbeat("k-3"));

    handoff.handedThrough(2);

    assertEquals(1, handoff.kept(), "only position 3 is still to be handed");
    // 20,003 is ParsedEvents.MOST (20,000) positions ahead of 3: 3 goes, 20,003 stays
    handoff.journaled(0, 3 + ParsedEvents.MOST, heartbeat("k-far"));
    assertEquals(1, handoff.kept());
    handoff.journaled(0, 3 + ParsedEvents.MOST - 1, heartbeat("k-near"));
    assertEquals(2, handoff.kept());
  }

  @Test
  void
      positionsThisNodeDidNotJournal_leaveNoEventBehindTheBound_andAHandedPositionIsNotKeptAgain() {
    // another node's batches leave gaps in a partition's offsets: 1, 3 and 5 here
    handoff.journaled(0, 1, heartbeat("g-1"));
    handoff.journaled(0, 3, heartbeat("g-3"));
    handoff.journaled(0, 5, heartbeat("g-5"));

    handoff.journaled(0, 7 + ParsedEvents.MOST, heartbeat("g-far"));

    assertEquals(1, handoff.kept(), "1, 3 and 5 are all past the bound");
    handoff.handedThrough(9 + ParsedEvents.MOST);
    handoff.journaled(0, 8 + ParsedEvents.MOST, heartbeat("g-late"));
    assertEquals(0, handoff.kept(), "handed through already: never asked for");
  }

  private PlatformEvent heartbeat(String id) {
    String body =
        "{\"id\":\""
            + id
            + "\",\"type\":\"session.heartbeat\","
            + AT
            + ",\"session\":{\"session_id\":\"s1\",\"user_id\":\"u1\",\"cpu_cores\":2,"
            + "\"memory_gb\":4.5,\"storage_gb\":10}}";
    return parser.parse(body.getBytes(UTF_8)).get(0);
  }

  private PlatformEvent readBack(String body) throws Exception {
    return parser.parseKept(mapper.readTree(body));
  }

  private static EventJournal.Journaled journaled(long seq, String eventId, String body) {
    return journaled(0, seq, eventId, body);
  }

  private static EventJournal.Journaled journaled(
      int partition, long seq, String eventId, String body) {
    return new EventJournal.Journaled(
        partition,
        seq,
        NOW,
        new JournalEntry(
            eventId, "session.heartbeat", Instant.parse("2025-06-01T11:00:00Z"), "u1", "s1", body));
  }
}
