package io.streamspace.billing.invoicing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts a run's drafts into chunks that never split an account. Chunks run at once ({@link
 * ChunkWorkers}), and an account's invoices must be finalized in one transaction or in period
 * order: the first to claim the account's usage takes every record before its period end, so a
 * March invoice finalized before February's would bill February's usage. One chunk finalizes an
 * account's drafts together, as {@code UsageClaims} reads them in period order.
 */
final class AccountChunks {

  /** A draft to finalize and its account. */
  record Draft(long id, String orgId) {}

  private AccountChunks() {}

  /**
   * The drafts' ids in chunks of {@code size}, or a little more where the last account of a chunk
   * has several drafts: the accounts in the order of their first draft, each chunk's ids in
   * ascending order (the order its invoices take their numbers).
   */
  static List<List<Long>> of(List<Draft> drafts, int size) {
    Map<String, List<Long>> byAccount = new LinkedHashMap<>();
    for (Draft draft : drafts) {
      byAccount.computeIfAbsent(draft.orgId(), account -> new ArrayList<>()).add(draft.id());
    }
    List<List<Long>> chunks = new ArrayList<>();
    List<Long> chunk = new ArrayList<>();
    for (List<Long> ids : byAccount.values()) {
      chunk.addAll(ids);
      if (chunk.size() >= size) {
        chunks.add(sorted(chunk));
        chunk = new ArrayList<>();
      }
    }
    if (!chunk.isEmpty()) {
      chunks.add(sorted(chunk));
    }
    return chunks;
  }

  private static List<Long> sorted(List<Long> chunk) {
    chunk.sort(null);
    return chunk;
  }
}
