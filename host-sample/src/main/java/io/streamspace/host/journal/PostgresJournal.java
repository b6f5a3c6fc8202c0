package io.streamspace.host.journal;

import io.streamspace.host.plugins.ActivePlugin;
import io.streamspace.host.plugins.JournalLag;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The default journal, in the host's PostgreSQL database: appended by {@link EventJournal}, handed
 * to each plugin by {@link JournalConsumers} on the node that holds its lease, with intake's
 * back-pressure read from their cursors ({@link JournalBacklog}).
 */
public final class PostgresJournal implements Journal {

  private final EventJournal journal;
  private final JournalConsumers consumers;
  private final JournalBacklog backlog;

  /**
   * @param maxLag how many entries an enabled plugin may be behind before intake pushes back
   */
  public PostgresJournal(
      DataSource dataSource, Clock clock, EventHandoff handoff, long maxLag, String node) {
    this.journal = new EventJournal(dataSource, clock);
    this.consumers = new JournalConsumers(journal, dataSource, handoff, clock, node);
    this.backlog = new JournalBacklog(dataSource, maxLag);
  }

  @Override
  public Appended append(List<JournalEntry> entries) {
    return journal.append(entries);
  }

  @Override
  public Appended append(List<JournalEntry> entries, Positioned positioned) {
    return journal.append(entries, positioned);
  }

  @Override
  public boolean awaitConsumed(Appended appended, Duration timeout) {
    if (appended.lastSeq() == 0) {
      return true;
    }
    consumers.journaled();
    return consumers.awaitConsumed(appended.lastSeq(), timeout);
  }

  @Override
  public void refuseWhenTooFarBehindOrDown() {
    backlog.refuseWhenTooFarBehind();
  }

  @Override
  public List<EventJournal.Journaled> find(
      String userId, String sessionId, Instant from, Instant to, int limit, int offset) {
    return journal.find(userId, sessionId, from, to, limit, offset);
  }

  @Override
  public List<EventJournal.Journaled> findOfSessions(
      Collection<String> sessionIds, Instant from, Instant to, int limit) {
    return journal.findOfSessions(sessionIds, from, to, limit);
  }

  @Override
  public Map<Integer, Long> rewind(String pluginId, Instant from) {
    return Map.of(0, consumers.rewind(pluginId, from));
  }

  @Override
  public String node() {
    return consumers.node();
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
  public Map<String, JournalLag> of(List<String> pluginIds) {
    return consumers.of(pluginIds);
  }

  @Override
  public void close() {
    consumers.close();
  }
}
