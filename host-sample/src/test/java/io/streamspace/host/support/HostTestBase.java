package io.streamspace.host.support;

import io.streamspace.host.Host;
import io.streamspace.host.HostOptions;
import io.streamspace.testing.MutableClock;
import io.streamspace.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * Starts one host per test class on a fresh database, with a {@link RecordingPlugin} (id
 * {@code rec}) handed in-process, an empty plugins folder, a clock the test moves (back at
 * {@link #NOW} before each test), injected secrets, and webhooks sent only when a test runs
 * {@code host.webhooks().runOnce()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class HostTestBase {

  public static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
  public static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdefghij";

  protected final MutableClock clock = new MutableClock(NOW);
  protected String dbUrl;
  protected Host host;
  protected HostClient http;
  protected RecordingPlugin plugin;

  @BeforeAll
  void startHost() {
    plugin = new RecordingPlugin();
    dbUrl = TestDatabases.freshDatabaseUrl();
    host = startNode(plugin);
    http = new HostClient(host.port());
  }

  /**
   * A host on this class's database, clock and secrets with its own recording plugin: another
   * node of the cluster (the test closes it).
   */
  protected Host startNode(RecordingPlugin recording) {
    return Host.start(nodeOptions(recording).build());
  }

  /** The options of {@link #startNode}; a test class may add to them. */
  protected HostOptions.Builder nodeOptions(RecordingPlugin recording) {
    return HostOptions.builder()
        .port(0)
        .quickStopForTests()
        .dbUrl(dbUrl)
        .pluginsDir(Path.of("target/no-plugins-here"))
        .dataDir(dataDir())
        .clock(clock)
        .secrets(secrets())
        .plugin("rec", recording)
        .webhookDeliveryInterval(Duration.ZERO); // tests deliver with webhooks().runOnce()
  }

  /**
   * The nodes' data folder (the secrets key they share), one per test JVM: Surefire runs this
   * module's classes in two JVMs at once ({@code host.test.fork}, set in the pom).
   */
  private static Path dataDir() {
    return Path.of("target", "host-test-data-" + System.getProperty("host.test.fork", "1"));
  }

  /** A host on {@code dbUrl} with no plugin and these secrets (the test closes it). */
  public static Host startPluginless(String dbUrl, Map<String, String> secrets) {
    return Host.start(
        HostOptions.builder()
            .port(0)
            .quickStopForTests()
            .dbUrl(dbUrl)
            .pluginsDir(Path.of("target/no-plugins-here"))
            .secrets(secrets)
            .build());
  }

  /** The secrets of this class's nodes; a class adds its own. */
  protected Map<String, String> secrets() {
    return Map.of("BILLING_ADMIN_TOKEN", ADMIN_TOKEN, "RECORDING_API_KEY", "s3cret");
  }

  @BeforeEach
  void forgetRecordedEventsAndResetTheClock() {
    plugin.events.clear();
    clock.set(NOW);
  }

  @AfterAll
  void stopHost() {
    host.close();
  }

  /** A new token with the given roles. */
  protected String token(String userId, String... roles) {
    String body =
        "{\"user_id\":\"" + userId + "\",\"roles\":[\"" + String.join("\",\"", roles) + "\"]}";
    HostClient.Response response = http.post("/api/admin/tokens", ADMIN_TOKEN, body);
    if (response.status() != 201) {
      throw new IllegalStateException("token creation failed: " + response);
    }
    return response.body().get("token").asText();
  }
}
