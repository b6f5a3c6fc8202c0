package io.streamspace.billing.audit;

import java.time.Instant;
import java.util.List;

/**
 * A signed checkpoint of the audit trail: at an instant, the head of each chain (its place and
 * the hash of the entry there), signed with HMAC-SHA256 under the key the database never holds
 * ({@code auditCheckpointKey}). Published to the platform as {@code billing.audit.checkpoint}
 * and kept outside the database, it anchors the chains: an entry at or before a head can no
 * longer be changed, dropped or rewritten with its hashes recomputed without {@link
 * AuditCheckpoints#check} showing it.
 *
 * @param heads by chain, each chain once ({@code ''} is the platform-wide chain)
 * @param signature lower-case hex of the HMAC-SHA256 of {@link AuditCheckpoints#signedText}
 */
public record AuditCheckpoint(Instant at, List<Head> heads, String signature) {

  public AuditCheckpoint {
    heads = List.copyOf(heads);
  }

  /** A chain's last entry when the checkpoint was taken: its place and its hash in hex. */
  public record Head(String chain, long chainSeq, String hash) {}
}
