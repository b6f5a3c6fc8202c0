package io.streamspace.billing.invoicing;

/**
 * What one finalization run did: the drafts it finalized, and those it found due but no longer
 * drafts once it held their row lock, because another run (the other job, another node, an
 * admin's void) finalized or voided them first. Two overlapping runs share the work this way
 * (row locks, never twice), and each can say so: their {@code finalized} add up to the drafts
 * that were due.
 *
 * @param finalized  drafts this run finalized
 * @param doneByOthers drafts this run listed as due and found finalized or voided by another
 */
public record Finalization(int finalized, int doneByOthers) {

  /** {@code "finalized 3 invoices; 2 others were finalized or voided by another run"}. */
  public String summary() {
    String done = "finalized %d invoices".formatted(finalized);
    return doneByOthers == 0
        ? done
        : done + "; %d others were finalized or voided by another run".formatted(doneByOthers);
  }
}
