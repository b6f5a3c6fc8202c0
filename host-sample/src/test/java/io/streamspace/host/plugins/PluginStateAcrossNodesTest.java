package io.streamspace.host.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.Host;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.HostTestBase;
import io.streamspace.host.support.RecordingPlugin;
import io.streamspace.testing.Await;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Two nodes on one database, each with the recording plugin: what an admin changes on one node
 * (the base class's host) reaches the other without a restart, within two seconds.
 */
class PluginStateAcrossNodesTest extends HostTestBase {

  /** docs/operator-guide.md, "Two nodes, or more": how soon a change reaches every node. */
  private static final Duration BOUND = Duration.ofSeconds(2);

  private final RecordingPlugin otherPlugin = new RecordingPlugin();
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger registryLog = (Logger) LoggerFactory.getLogger(PluginRegistry.class);
  private Level level;
  private Host other;
  private HostClient otherHttp;

  @BeforeAll
  void startTheOtherNode() {
    other = startNode(otherPlugin);
    otherHttp = new HostClient(other.port());
  }

  @AfterAll
  void stopTheOtherNode() {
    other.close();
  }

  @BeforeEach
  void captureTheRegistryLog() {
    log.start();
    level = registryLog.getLevel();
    registryLog.setLevel(Level.INFO);
    registryLog.addAppender(log);
  }

  @AfterEach
  void stopCapturing() {
    registryLog.detachAppender(log);
    registryLog.setLevel(level);
    log.list.clear();
  }

  @Test
  void aPluginDisabledOnOneNode_stopsOnTheOtherWithinTwoSeconds_andStartsThereWhenEnabledAgain() {
    http.post("/api/admin/plugins/rec/disable", ADMIN_TOKEN, "").expect(200);
    within(BOUND, "disabled on the other node", () -> otherNodeShows("disabled", 404));
    assertEquals("onUnload", last(otherPlugin.hooks));
    within(BOUND, "no node consumes its journal", () -> consumerOn(otherHttp) == null);

    http.post("/api/admin/plugins/rec/enable", ADMIN_TOKEN, "").expect(200);
    within(BOUND, "started on the other node", () -> otherNodeShows("started", 200));
    assertEquals("onLoad", last(otherPlugin.hooks));

    assertEquals(
        List.of(
            "INFO Plugin rec changed on another node (disabled); now disabled here",
            "INFO Plugin rec changed on another node (enabled); now started here"),
        linesAbout("another node"));
  }

  @Test
  void aConfigChangedOnOneNode_isHandedToThePluginOnTheOtherWithinTwoSeconds() {
    int told = otherPlugin.configChanges.get();

    http.call("PATCH", "/api/admin/plugins/rec/config", ADMIN_TOKEN, "{\"rate\": 2.75}")
        .expect(200);

    within(BOUND, "the other node's plugin has the new rate", () -> otherRateIs("2.75"));
    assertEquals(told + 1, otherPlugin.configChanges.get(), "onConfigChanged, once");
    JsonNode shown = otherHttp.get("/api/admin/plugins/rec/config", ADMIN_TOKEN).expect(200);
    assertEquals(0, new BigDecimal("2.75").compareTo(shown.get("rate").decimalValue()));
    assertEquals(
        List.of("INFO Plugin rec changed on another node (config keys rate); now started here"),
        linesAbout("another node"));
  }

  @Test
  void oneNodeConsumesThePluginsJournal_bothShowWhich() {
    String consumer = consumerOn(http);
    assertNotNull(consumer);
    assertEquals(consumer, consumerOn(otherHttp));
  }

  private boolean otherNodeShows(String state, int routeStatus) {
    JsonNode rec =
        otherHttp.get("/api/admin/plugins", ADMIN_TOKEN).expect(200).get("plugins").get(0);
    return rec.get("state").asText().equals(state)
        && otherHttp.get("/api/plugins/rec/echo/x", null).status() == routeStatus;
  }

  private boolean otherRateIs(String rate) {
    Object current = otherPlugin.context.config().asMap().get("rate");
    return current instanceof BigDecimal decimal && decimal.compareTo(new BigDecimal(rate)) == 0;
  }

  /** The node the plugin list of this node names as consuming the recording plugin's journal. */
  private static String consumerOn(HostClient node) {
    JsonNode consumer =
        node.get("/api/admin/plugins", ADMIN_TOKEN).expect(200).at("/plugins/0/lag/consumer");
    return consumer.isTextual() ? consumer.asText() : null;
  }

  private List<String> linesAbout(String words) {
    return log.list.stream()
        .map(e -> e.getLevel() + " " + e.getFormattedMessage())
        .filter(line -> line.contains(words))
        .toList();
  }

  private static String last(List<String> hooks) {
    return hooks.get(hooks.size() - 1);
  }

  /** Polls until the condition holds; fails once the time is up. */
  private static void within(Duration bound, String what, BooleanSupplier condition) {
    Await.await(
        bound,
        Duration.ofMillis(10),
        what + " within " + bound.toMillis() + " ms",
        condition::getAsBoolean);
  }
}
