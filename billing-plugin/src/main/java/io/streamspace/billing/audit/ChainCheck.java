package io.streamspace.billing.audit;

/**
 * What a walk of the chains found: how many entries it checked in how many chains, and the first
 * broken link (null when all is intact).
 */
public record ChainCheck(boolean intact, long checked, long chains, BrokenLink broken) {

  /**
   * The first entry (lowest id) whose link does not hold, the chain and place it holds, and what
   * differs. For an entry deleted at the end of a chain, the chain's last remaining entry.
   */
  public record BrokenLink(Long id, String chain, long chainSeq, String problem) {}
}
