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
 * @param waitingForTax due drafts left drafts for their tax (stripeTax): its calculation failed,
 *     or was made for other lines than those finalized; the next run calculates it again
 */
public record Finalization(int finalized, int doneByOthers, int waitingForTax) {

  public Finalization(int finalized, int doneByOthers) {
    this(finalized, doneByOthers, 0);
  }

  /** {@code "finalized 3 invoices; 2 others were finalized or voided by another run"}. */
  public String summary() {
    String done = "finalized %d invoices".formatted(finalized);
    if (doneByOthers != 0) {
      done += "; %d others were finalized or voided by another run".formatted(doneByOthers);
    }
    return waitingForTax == 0
        ? done
        : done
            + "; %d drafts wait for their tax (see billing.invoice.tax_failed)"
                .formatted(waitingForTax);
  }
}
