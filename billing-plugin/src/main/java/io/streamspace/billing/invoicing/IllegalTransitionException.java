package io.streamspace.billing.invoicing;

/**
 * An invoice cannot move from its status to the one asked for (see {@link
 * InvoiceStatus#mayBecome}).
 */
public final class IllegalTransitionException extends Exception {

  private final InvoiceStatus from;

  public IllegalTransitionException(InvoiceStatus from, InvoiceStatus to) {
    super("a " + from.value() + " invoice cannot become " + to.value());
    this.from = from;
  }

  public InvoiceStatus from() {
    return from;
  }
}
