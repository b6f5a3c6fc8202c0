package io.streamspace.billing.invoicing;

/**
 * What one finalization run did: the drafts it finalized, and those it found due but no longer
 * drafts once it held their row lock, because another run (the other job, another node, an
 * admin's void) finalized or voided them first. Two overlapping runs share the work this way
 * (row locks, never twice), and each can say so: their {@code finalized} add up to the drafts
 * that were due, less those left waiting (for their tax, or for an earlier draft of their
 * account), which a later run finalizes.
 *
 * @param finalized  drafts this run finalized
 * @param doneByOthers drafts this run listed as due and found finalized or voided by another
 * @param waitingForTax due drafts left drafts for their tax (stripeTax): its calculation failed,
 *     or was made for other lines than those finalized; the next run calculates it again
 * @param waitingForEarlier due drafts left drafts because their account has a draft opened
 *     before them that is still a draft (held by another run, not yet due, or failed): an
 *     account's drafts are finalized in id order, as the first to claim the account's usage
 *     takes every record before its period's end; a next run finalizes them after it
 */
public record Finalization(
    int finalized, int doneByOthers, int waitingForTax, int waitingForEarlier) {

  public Finalization(int finalized, int doneByOthers) {
    this(finalized, doneByOthers, 0, 0);
  }

  public Finalization(int finalized, int doneByOthers, int waitingForTax) {
    this(finalized, doneByOthers, waitingForTax, 0);
  }

  /** {@code "finalized 3 invoices; 2 others were finalized or voided by another run"}. */
  public String summary() {
    String done = "finalized %d invoices".formatted(finalized);
    if (doneByOthers != 0) {
      done += "; %d others were finalized or voided by another run".formatted(doneByOthers);
    }
    if (waitingForTax != 0) {
      done +=
          "; %d drafts wait for their tax (see billing.invoice.tax_failed)"
              .formatted(waitingForTax);
    }
    if (waitingForEarlier != 0) {
      done += "; %d drafts wait for an earlier draft of their account".formatted(waitingForEarlier);
    }
    return done;
  }
}
