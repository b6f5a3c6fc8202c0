package io.streamspace.host.journal.kafka;

import io.streamspace.host.journal.Appended;
import io.streamspace.host.journal.EventHandoff;
import io.streamspace.host.journal.JournalBacklog;
import io.streamspace.host.plugins.ActivePlugin;
import io.streamspace.host.plugins.JournalLag;
import io.streamspace.host.plugins.PluginLifecycleListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka journal's consumers on this node: one per started plugin, in the plugin's own
 * consumer group ({@code streamspace-plugin-<id>}), and one for the journal's index ({@link
 * JournalIndexConsumer}, which removes duplicates: the plugins are handed first copies alone,
 * {@link FirstCopies}), started with this. Each group shares the topic's partitions out among
 * the nodes; a node that stops leaves its groups at once, and one that dies (SIGKILL) is dropped
 * from them after {@link #SESSION_TIMEOUT}, when the others take its partitions over: within
 * about 13 s (10 s, then a heartbeat of at most 2 s and the next poll, half a second apart;
 * measured: 12 s). A node that dies during a rebalance holds it up to 60 s, the longest a round
 * may take ({@code max.poll.interval.ms}).
 *
 * <p>The places are kept in PostgreSQL ({@code host_kafka_offsets}), not committed to Kafka
 * (auto commit is off): a plugin's place moves only once it has flushed the round ({@link
 * PluginConsumer}), the index's in the transaction that writes the entries. A plugin seen for the
 * first time starts from now, at the end of each partition, as the PostgreSQL journal's cursors
 * do.
 *
 * <p>The topic is made before this starts (the consumers do not create it: a topic made by a
 * consumer's first look would have the brokers' default partitions and replicas).
 *
 * <p>Lag is read per plugin and partition: the partition's end offset (from the brokers, at most
 * once a second) less the plugin's place. Intake's back-pressure ({@link JournalBacklog}) counts
 * time, not records: the brokers keep every record for the topic's retention whether it was
 * consumed or not, so a backlog costs them no room; what it costs is freshness (a plugin's reads,
 * admission and quotas among them, are as far behind as its lag) and, at worst, a record leaving
 * the topic before an enabled plugin consumed it. Intake refuses once an enabled plugin has not
 * consumed a record journaled longer ago than {@link #backlogAgeBound}: a burst faster than the
 * plugins apply is taken in, and a plugin slower than the platform for longer slows it down.
 */
public final class KafkaConsumers
    implements PluginLifecycleListener, JournalLag.Lookup, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KafkaConsumers.class);

  /**
   * How long the group waits for a silent member (a SIGKILLed node) before its partitions go to
   * the others; within the brokers' default bounds (6 s to 30 min).
   */
  public static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);

  private static final Duration HEARTBEAT = Duration.ofSeconds(2);

  /** How long a plugin's start waits for its consumer to join its group. */
  static final Duration JOIN_WITHIN = Duration.ofSeconds(30);

  private static final int MAX_ROUND = 2_000;
  private static final String PLUGIN_GROUP = "streamspace-plugin-";

  // the longest a round may take (its flush 30 s at most, and its handing) before the group
  // counts the consumer as gone
  private static final Duration MAX_ROUND_TIME = Duration.ofSeconds(60);

  private final KafkaSettings settings;
  private final KafkaPlaces places;
  private final EventHandoff handoff;
  private final Clock clock;
  private final String node;
  private final Admin admin;
  private final TopicEnds ends;
  private final JournalBacklog backlog;
  private final Duration maxBacklogAge;
  private final FirstCopies firstCopies;
  private final IntakeFirst intakeFirst;
  private final JournalIndexConsumer index;
  private final Map<String, PluginConsumer> consumers = new ConcurrentHashMap<>();

  /** How stale a plugin's view may grow before intake pushes back (a burst's worth). */
  public static final Duration MAX_BACKLOG_AGE = Duration.ofMinutes(5);

  /**
   * How long a record may wait for an enabled plugin to consume it before intake pushes back:
   * {@link #MAX_BACKLOG_AGE}, or half the topic's retention ({@link KafkaTopic#retention}) when
   * that is shorter, so that a plugin always has at least as long again to consume it.
   */
  public static Duration backlogAgeBound(Duration maxEventAge) {
    Duration half = KafkaTopic.retention(maxEventAge).dividedBy(2);
    return half.compareTo(MAX_BACKLOG_AGE) < 0 ? half : MAX_BACKLOG_AGE;
  }

  /**
   * Starts the journal's index on this node; the plugins' consumers start as the plugins do.
   *
   * @param maxBacklogAge how long a record may wait for an enabled plugin to consume it before
   *     intake pushes back ({@link #backlogAgeBound})
   */
  public KafkaConsumers(
      KafkaSettings settings,
      DataSource dataSource,
      EventHandoff handoff,
      Clock clock,
      String node,
      Duration maxBacklogAge) {
    this.settings = settings;
    this.places = new KafkaPlaces(dataSource, settings.topic());
    this.handoff = handoff;
    this.clock = clock;
    this.node = node;
    this.admin = Admin.create(adminProperties());
    this.ends = new TopicEnds(admin, settings.topic());
    this.maxBacklogAge = maxBacklogAge;
    this.backlog =
        new JournalBacklog(
            this::furthestBehind,
            0,
            "none journaled over " + describe(maxBacklogAge) + " ago may wait");
    this.firstCopies = new FirstCopies(dataSource, settings.topic(), FirstCopies.INDEX_WAIT);
    this.intakeFirst = new IntakeFirst(clock, settings.intakeFirst());
    this.index =
        new JournalIndexConsumer(
            settings.topic(),
            consumerProperties(JournalIndexConsumer.GROUP),
            places,
            dataSource,
            firstCopies,
            clock,
            intakeFirst);
    index.start();
  }

  /** The consumer group of a plugin's consumers. */
  public static String groupOf(String pluginId) {
    return PLUGIN_GROUP + pluginId;
  }

  /** This node's name, in its consumers' client ids. */
  public String node() {
    return node;
  }

  @Override
  public void started(ActivePlugin plugin) {
    PluginConsumer consumer =
        new PluginConsumer(
            plugin,
            settings.topic(),
            consumerProperties(groupOf(plugin.id())),
            places,
            handoff,
            firstCopies,
            clock,
            intakeFirst);
    PluginConsumer previous = consumers.put(plugin.id(), consumer);
    if (previous != null) {
      previous.stop();
    }
    // A plugin seen for the first time starts from now: at the ends of the partitions as they are
    // before this returns, not when the group first assigns them (events journaled meanwhile
    // would be skipped). Ends read up to a second ago are earlier, which only hands more.
    places.storeIfAbsent(plugin.id(), ends.ends(), clock.instant());
    consumer.start();
    awaitJoined(plugin.id(), consumer);
  }

  /**
   * Returns once the plugin's consumer here has joined its group, so that a started plugin owns
   * its partitions here (and {@link #awaitConsumed} waits for them) from its first batch on, as
   * the PostgreSQL journal's consumer takes its lease before its plugin is started; or after
   * {@link #JOIN_WITHIN}, consuming as soon as it joins.
   */
  private static void awaitJoined(String pluginId, PluginConsumer consumer) {
    try {
      if (!consumer.awaitJoined(JOIN_WITHIN)) {
        log.warn(
            "Plugin {} journal: its consumer has not joined its group within {} s; it consumes"
                + " once it does",
            pluginId,
            JOIN_WITHIN.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void stopping(String pluginId) {
    PluginConsumer consumer = consumers.remove(pluginId);
    if (consumer != null) {
      consumer.stop();
    }
  }

  /**
   * Intake's append of a batch: meanwhile and just after, the consumers here rest after their
   * rounds ({@link IntakeFirst}).
   */
  Appended appending(Supplier<Appended> append) {
    return intakeFirst.journaling(append);
  }

  /** This node's intake wrote records up to these offsets: its lag counts them at once. */
  public void wrote(Map<Integer, Long> lastByPartition) {
    ends.wrote(lastByPartition);
  }

  /**
   * Waits, for at most {@code timeout} in all, until each plugin consumed on this node has stored
   * its place past these offsets in the partitions it owns now (a partition another node owns is
   * not waited for). Intake does not wait for it ({@link KafkaJournal#awaitConsumed}); tests and
   * the benchmark do, to read what they wrote.
   *
   * @param lastByPartition the offset of the last record written, by partition
   * @return whether they all have (false also when a consumer's last round failed, or when
   *     interrupted)
   */
  public boolean awaitConsumed(Map<Integer, Long> lastByPartition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      for (PluginConsumer consumer : List.copyOf(consumers.values())) {
        if (!consumer.awaitPast(lastByPartition, deadline)) {
          return false;
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * The lag of each of these plugins that has places in the topic, per partition: the
   * partition's end offset less the plugin's place, and the node consuming it when known.
   */
  @Override
  public Map<String, JournalLag> of(List<String> pluginIds) {
    Map<String, Map<Integer, KafkaPlaces.Place>> stored = places.of(pluginIds);
    if (stored.isEmpty()) {
      return Map.of();
    }
    Map<Integer, Long> end = ends.ends();
    Map<String, Map<Integer, String>> owners =
        ends.owners(stored.keySet().stream().map(KafkaConsumers::groupOf).toList(), this::nodeOf);
    Instant now = clock.instant();
    Map<String, JournalLag> lag = new LinkedHashMap<>();
    for (String pluginId : pluginIds) {
      Map<Integer, KafkaPlaces.Place> plugin = stored.get(pluginId);
      if (plugin != null) {
        lag.put(pluginId, lag(plugin, end, owners.getOrDefault(groupOf(pluginId), Map.of()), now));
      }
    }
    return lag;
  }

  /**
   * How far the journal's index is behind the topic, per partition: the partition's end offset
   * less the index's place (a partition it has no place in yet, the whole partition), and the
   * node indexing it when known.
   */
  public JournalLag indexLag() {
    Map<Integer, KafkaPlaces.Place> stored =
        places.of(List.of(KafkaPlaces.INDEX)).getOrDefault(KafkaPlaces.INDEX, Map.of());
    Map<Integer, Long> end = ends.ends();
    Map<Integer, KafkaPlaces.Place> indexed = new TreeMap<>(stored);
    // the index starts each partition at its beginning: none stored yet is nothing indexed
    end.keySet().forEach(p -> indexed.putIfAbsent(p, new KafkaPlaces.Place(0, clock.instant())));
    Map<Integer, String> owners =
        ends.owners(List.of(JournalIndexConsumer.GROUP), this::nodeOf)
            .getOrDefault(JournalIndexConsumer.GROUP, Map.of());
    return lag(indexed, end, owners, clock.instant());
  }

  private static JournalLag lag(
      Map<Integer, KafkaPlaces.Place> places,
      Map<Integer, Long> end,
      Map<Integer, String> owners,
      Instant now) {
    List<JournalLag.PartitionLag> partitions = new ArrayList<>();
    Set<String> nodes = new LinkedHashSet<>();
    long events = 0;
    long seconds = 0;
    for (Map.Entry<Integer, KafkaPlaces.Place> place : new TreeMap<>(places).entrySet()) {
      int partition = place.getKey();
      long behind = behind(end, partition, place.getValue().next());
      String owner = owners.get(partition);
      partitions.add(new JournalLag.PartitionLag(partition, behind, owner));
      if (owner != null) {
        nodes.add(owner);
      }
      events += behind;
      if (behind > 0) {
        seconds =
            Math.max(
                seconds,
                Math.max(0, Duration.between(place.getValue().updatedAt(), now).toSeconds()));
      }
    }
    return new JournalLag(
        events, seconds, nodes.isEmpty() ? null : String.join(", ", nodes), partitions);
  }

  private static long behind(Map<Integer, Long> end, int partition, long next) {
    Long last = end.get(partition);
    return last == null ? 0 : Math.max(0, last - next);
  }

  /**
   * Intake's back-pressure on Kafka.
   *
   * @throws io.streamspace.common.http.ApiException 503 {@code journal_backlog} while an enabled
   *     plugin has not consumed a record journaled longer than the bound ago
   */
  public void refuseWhenTooFarBehind() {
    backlog.refuseWhenTooFarBehind();
  }

  private static String describe(Duration age) {
    if (age.toHours() >= 48) {
      return age.toDays() + " days";
    }
    return age.toHours() >= 2 ? age.toHours() + " hours" : age.toMinutes() + " minutes";
  }

  /** The enabled plugin with the most records journaled before the bound still to consume. */
  private JournalBacklog.Furthest furthestBehind() {
    Map<String, Map<Integer, KafkaPlaces.Place>> enabled = places.ofEnabledPlugins();
    if (enabled.isEmpty()) {
      return JournalBacklog.Furthest.NONE;
    }
    // in each partition, the first record journaled since the bound: those before it are older
    Map<Integer, Long> since = ends.firstAtOrAfterOrLastRead(clock.instant().minus(maxBacklogAge));
    JournalBacklog.Furthest furthest = JournalBacklog.Furthest.NONE;
    for (Map.Entry<String, Map<Integer, KafkaPlaces.Place>> plugin : enabled.entrySet()) {
      long behind = 0;
      for (Map.Entry<Integer, KafkaPlaces.Place> place : plugin.getValue().entrySet()) {
        behind += behind(since, place.getKey(), place.getValue().next());
      }
      if (behind > furthest.behind()) {
        furthest = new JournalBacklog.Furthest(plugin.getKey(), behind);
      }
    }
    return furthest;
  }

  /**
   * Sets a plugin's place in each partition to the first record journaled at or after {@code
   * from} (the end when there is none), as it is, not only forward; for a plugin that is not
   * consuming (disabled), which the caller makes sure of. A plugin never started gets its places
   * here, so that its first start hands it those records.
   *
   * @return per partition, the offset of the last record it will not be handed again
   */
  public Map<Integer, Long> rewind(String pluginId, Instant from) {
    Map<Integer, Long> next = ends.firstAtOrAfter(from);
    places.set(pluginId, next, clock.instant());
    Map<Integer, Long> last = new TreeMap<>();
    next.forEach((partition, offset) -> last.put(partition, offset - 1));
    return last;
  }

  /** Stops every consumer here (each after its round in hand) and lets go of the brokers. */
  @Override
  public void close() {
    List.copyOf(consumers.keySet()).forEach(this::stopping);
    index.stop();
    admin.close(Duration.ofSeconds(5));
  }

  /** A consumer's client id: its group and this node, so that lag can name the node. */
  private String clientId(String group) {
    return group + "@" + node;
  }

  private String nodeOf(String clientId) {
    int at = clientId.lastIndexOf('@');
    return at < 0 ? null : clientId.substring(at + 1);
  }

  private Properties consumerProperties(String group) {
    Properties properties = new Properties();
    properties.putAll(settings.clientProperties());
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    properties.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId(group));
    // the classic protocol, whose session timeout each client sets (the newer one's is the
    // brokers' alone, at least 45 s)
    properties.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
    properties.put(
        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(SESSION_TIMEOUT.toMillis()));
    properties.put(
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Long.toString(HEARTBEAT.toMillis()));
    // a rebalance waits this long at most for a member to join again: a node that dies during
    // one holds the others up to this, not Kafka's default 5 minutes (a round takes at most the
    // flush's 30 s and its handing)
    properties.put(
        ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Long.toString(MAX_ROUND_TIME.toMillis()));
    // only the partitions that move between nodes stop, not all of them at each rebalance
    properties.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
    // places live in PostgreSQL; a place past the log's start (retention) starts at the start
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(MAX_ROUND));
    properties.put(
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    properties.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return properties;
  }

  private Properties adminProperties() {
    Properties properties = new Properties();
    properties.putAll(settings.clientProperties());
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "streamspace-journal-admin@" + node);
    return properties;
  }
}
