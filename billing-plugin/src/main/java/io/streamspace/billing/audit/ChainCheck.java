package io.streamspace.billing.audit;

import java.time.Instant;

/**
 * What a walk of the chains found: how many entries it checked in how many chains, the first
 * broken link (null when all is intact), and what anchored it: {@link #OFF} without a checkpoint
 * key (the chains are checked only against themselves), {@link #NO_CHECKPOINT} when a key is set
 * but no checkpoint was given, {@link #CHECKPOINT} when the chains were also checked against the
 * signed checkpoint of {@code checkpointAt}.
 */
public record ChainCheck(
    boolean intact,
    long checked,
    long chains,
    BrokenLink broken,
    String anchoring,
    Instant checkpointAt) {

  public static final String OFF = "off";
  public static final String NO_CHECKPOINT = "no_checkpoint";
  public static final String CHECKPOINT = "checkpoint";

  /**
   * The first entry (lowest id) whose link does not hold, the chain and place it holds, and what
   * differs. For an entry deleted at the end of a chain, the chain's last remaining entry; for a
   * checkpoint's head no longer held, its chain and place, and the entry there if any.
   */
  public record BrokenLink(Long id, String chain, long chainSeq, String problem) {}

  /** This walk, said to be anchored as {@code how} (no checkpoint given). */
  public ChainCheck anchoring(String how) {
    return new ChainCheck(intact, checked, chains, broken, how, null);
  }

  /**
   * This walk, checked against the checkpoint of {@code at} as well: broken at {@code unheld}
   * (a head the chains no longer hold) when the walk itself found nothing broken.
   */
  public ChainCheck against(Instant at, BrokenLink unheld) {
    BrokenLink first = broken != null ? broken : unheld;
    return new ChainCheck(first == null, checked, chains, first, CHECKPOINT, at);
  }
}
