package io.streamspace.host.journal.kafka;

import io.streamspace.host.journal.EventHandoff;
import io.streamspace.host.journal.PluginFlush;
import io.streamspace.host.plugins.ActivePlugin;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Hands one plugin the Kafka journal's records of the partitions its consumer group gave this
 * node, in order in each partition (so in order per billing account), and moves its places past a
 * round only once the plugin has flushed it.
 *
 * <p>The plugin's writes and its places are not in one transaction (a plugin's store is its own),
 * so this is the "equivalent that gives exactly-once effect": the place moves only after
 * the flush, so a crash between the plugin's commit and the place's store hands the round again,
 * never skips it, and plugins key what they store by natural keys (an event's id, a session's
 * hour), so the second delivery changes nothing. Usage is neither lost nor doubled.
 *
 * <p>A round is handed once the journal's index has decided it (or, when the index is far behind,
 * the part it has decided, the rest read again in the next round), and only the first copy of
 * each event ({@link FirstCopies}): a second copy in the topic, or another body under an id the
 * index set aside, is skipped, its place moving on with the round's.
 */
final class PluginConsumer extends PartitionConsumer {

  private final ActivePlugin plugin;
  private final EventHandoff handoff;
  private final FirstCopies firstCopies;

  PluginConsumer(
      ActivePlugin plugin,
      String topic,
      Properties properties,
      KafkaPlaces places,
      EventHandoff handoff,
      FirstCopies firstCopies,
      Clock clock,
      IntakeFirst intakeFirst) {
    super(plugin.id(), topic, properties, places, clock, FirstPlace.END_WHEN_NEW, intakeFirst);
    this.plugin = plugin;
    this.handoff = handoff;
    this.firstCopies = firstCopies;
  }

  @Override
  protected Map<Integer, Long> consume(
      List<ConsumerRecord<byte[], byte[]>> round, Map<Integer, Long> next)
      throws InterruptedException {
    FirstCopies.Decided decided = firstCopies.toHand(round, next, this::stopping);
    for (FirstCopies.Copy copy : decided.copies()) {
      // most records are this node's intake's, kept parsed: handed without decoding the record
      ConsumerRecord<byte[], byte[]> record = copy.record();
      if (copy.eventId() == null
          || !handoff.handOffKept(record.partition(), record.offset(), copy.eventId(), plugin)) {
        readable(record).ifPresent(journaled -> handoff.handOff(journaled, plugin));
      }
    }
    PluginFlush.await(plugin.id(), plugin.extension().flush());
    places.advance(name, decided.reached(), clock.instant());
    return decided.reached();
  }
}
