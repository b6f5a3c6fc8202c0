package io.streamspace.host.journal.kafka;

import io.streamspace.host.journal.Appended;
import io.streamspace.host.journal.EventHandoff;
import io.streamspace.host.journal.EventJournal;
import io.streamspace.host.journal.Journal;
import io.streamspace.host.journal.JournalEntry;
import io.streamspace.host.plugins.ActivePlugin;
import io.streamspace.host.plugins.JournalLag;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The journal on Apache Kafka ({@code --journal kafka}): the events live in a topic, keyed by
 * billing account, acknowledged by every in-sync replica before intake answers, which reads
 * PostgreSQL once per batch and writes nothing there ({@link KafkaIntake}). PostgreSQL keeps what
 * must be shared and transactional, written behind intake by the consumers ({@link
 * KafkaConsumers}): an index of the journal in {@code host_journal}, one entry per event, its
 * unique id taken by the event's first copy in the topic, where duplicates are removed and which
 * intake looks up to tell a redelivery or a conflict on any node; and each plugin's place in each
 * partition. Support's search reads that index, as it reads the PostgreSQL journal, and the
 * journal's retention keeps it.
 */
public final class KafkaJournal implements Journal {

  private final KafkaIntake intake;
  private final KafkaConsumers consumers;
  private final EventJournal index;
  private final String node;

  /**
   * Makes the topic when it is absent, then opens the producer and the journal's index on this
   * node; each plugin's consumer starts when its plugin does.
   *
   * @param maxBacklogAge how long a record may wait for an enabled plugin to consume it before
   *     intake pushes back ({@link KafkaConsumers#backlogAgeBound})
   * @param maxEventAge the oldest event intake accepts: the topic keeps records a day longer
   * @throws IllegalStateException when the brokers cannot be reached or refuse the topic
   */
  public KafkaJournal(
      KafkaSettings settings,
      DataSource dataSource,
      Clock clock,
      EventHandoff handoff,
      Duration maxBacklogAge,
      Duration maxEventAge,
      String node) {
    try (Admin admin = Admin.create(adminProperties(settings, node))) {
      KafkaTopic.ensure(admin, settings, maxEventAge);
    }
    this.node = node;
    this.index = new EventJournal(dataSource, clock);
    this.intake = new KafkaIntake(dataSource, clock, settings);
    try {
      this.consumers =
          new KafkaConsumers(settings, dataSource, handoff, clock, node, maxBacklogAge);
    } catch (RuntimeException e) {
      intake.close();
      throw e;
    }
  }

  private static Properties adminProperties(KafkaSettings settings, String node) {
    Properties properties = new Properties();
    properties.putAll(settings.clientProperties());
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "streamspace-journal-topic@" + node);
    return properties;
  }

  /**
   * Sends the batch; the lag this node shows counts its records at once (the ends it reads from
   * the brokers may be up to a second old), so a client waiting for a plugin's lag of 0 after a
   * 202 waits for that batch too.
   */
  @Override
  public Appended append(List<JournalEntry> entries) {
    Appended appended = consumers.appending(() -> intake.append(entries));
    consumers.wrote(appended.lastByPartition());
    return appended;
  }

  /**
   * Does not wait: on Kafka a 202 means the brokers acknowledged the batch, and the plugins apply
   * it in their next rounds (their lag in {@code /api/health} counts it until then). Waiting here
   * for this node's consumers, behind the index's round, would tie intake's rate to the plugins'
   * rate of applying, which the topic is there to absorb.
   *
   * @return whether there was nothing to wait for
   */
  @Override
  public boolean awaitConsumed(Appended appended, Duration timeout) {
    return appended.seqs().isEmpty();
  }

  /**
   * While the brokers count as down, refuses at once: the back-pressure's look-up asks those
   * brokers for the topic's ends and would wait 2 s for them on every batch, which the batch's
   * refusal would follow all the same.
   */
  @Override
  public void refuseWhenTooFarBehindOrDown() {
    intake.refuseWhileBrokersDown();
    consumers.refuseWhenTooFarBehind();
  }

  @Override
  public List<EventJournal.Journaled> find(
      String userId, String sessionId, Instant from, Instant to, int limit, int offset) {
    return index.find(userId, sessionId, from, to, limit, offset);
  }

  @Override
  public List<EventJournal.Journaled> findOfSessions(
      Collection<String> sessionIds, Instant from, Instant to, int limit) {
    return index.findOfSessions(sessionIds, from, to, limit);
  }

  @Override
  public Map<Integer, Long> rewind(String pluginId, Instant from) {
    return consumers.rewind(pluginId, from);
  }

  @Override
  public String node() {
    return node;
  }

  @Override
  public void started(ActivePlugin plugin) {
    consumers.started(plugin);
  }

  @Override
  public void stopping(String pluginId) {
    consumers.stopping(pluginId);
  }

  @Override
  public Optional<JournalLag> indexLag() {
    return Optional.of(consumers.indexLag());
  }

  @Override
  public Map<String, JournalLag> of(List<String> pluginIds) {
    return consumers.of(pluginIds);
  }

  /** Stops the consumers here (their places kept), then the producer. */
  @Override
  public void close() {
    try {
      consumers.close();
    } finally {
      intake.close();
    }
  }
}
