package io.streamspace.host.journal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a journal did with each entry of a batch, by index in the batch.
 *
 * @param seqs       each new entry's position in its partition (the PostgreSQL journal has one
 *     partition, and a position is its {@code seq}; on Kafka, the record's offset); absent for
 *     the entries not journaled
 * @param partitions each new entry's partition; empty for the PostgreSQL journal (one partition)
 * @param duplicates entries whose id was journaled before with the same body, or that repeat an
 *     earlier entry of the batch
 * @param conflicts  indexes of entries whose id was journaled with another body: not journaled
 */
public record Appended(
    Map<Integer, Long> seqs,
    Map<Integer, Integer> partitions,
    int duplicates,
    List<Integer> conflicts) {

  public Appended {
    seqs = Map.copyOf(seqs);
    partitions = Map.copyOf(partitions);
    conflicts = List.copyOf(conflicts);
  }

  /** The highest position written, 0 when none (in a journal of one partition). */
  public long lastSeq() {
    return seqs.values().stream().mapToLong(Long::longValue).max().orElse(0);
  }

  /** The highest position written in each partition the batch went to. */
  public Map<Integer, Long> lastByPartition() {
    Map<Integer, Long> last = new HashMap<>();
    seqs.forEach((index, seq) -> last.merge(partitions.getOrDefault(index, 0), seq, Math::max));
    return last;
  }
}
