package io.streamspace.billing.invoicing;

/**
 * The account has a draft opened before the invoice asked for, still a draft. An account's
 * drafts are finalized in the order they were opened, as the first to claim the account's usage
 * takes every record before its period's end: an invoice finalized now would bill that draft's
 * usage. The draft is finalized once its grace has passed (or can be voided); then the invoice
 * can be asked for again.
 */
public final class EarlierDraftException extends Exception {

  private final long draftId;

  public EarlierDraftException(long draftId) {
    super(
        "the account's invoice "
            + draftId
            + " is still a draft: an account's invoices are finalized in the order they were"
            + " opened, so this one can be made once that one is finalized or voided");
    this.draftId = draftId;
  }

  /** The account's first draft. */
  public long draftId() {
    return draftId;
  }
}
