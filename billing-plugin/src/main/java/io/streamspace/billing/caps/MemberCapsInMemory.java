package io.streamspace.billing.caps;

import java.util.Optional;

/**
 * The caps as admission holds them in memory, with the use it counts against them. A change
 * stored on this node is handed over at once; other nodes take it from the database at their
 * next reload.
 */
public interface MemberCapsInMemory {

  /** A cap this node stored: it acts at once. */
  void capSet(MemberCap cap);

  /** A cap this node removed: it stops acting at once. */
  void capRemoved(String orgId, String userId);

  /** The member's cap in the organization and their use under it now; empty when uncapped. */
  Optional<MemberCapUse> capUse(String orgId, String userId);
}
