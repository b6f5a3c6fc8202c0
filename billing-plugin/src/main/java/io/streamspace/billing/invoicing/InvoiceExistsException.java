package io.streamspace.billing.invoicing;

/** The account already has a (non-void) invoice overlapping the period asked for. */
public final class InvoiceExistsException extends Exception {

  private final Long existingId;

  public InvoiceExistsException(Long existingId) {
    super("the account already has invoice " + existingId + " overlapping that period");
    this.existingId = existingId;
  }

  /** The overlapping invoice; null if it was voided before it could be read. */
  public Long existingId() {
    return existingId;
  }
}
