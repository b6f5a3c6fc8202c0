package io.streamspace.billing.invoicing;

/**
 * An invoice cannot move from its status to the one asked for (see {@link
 * InvoiceStatus#mayBecome}).
 */
public final class IllegalTransitionException extends Exception {

  private final InvoiceStatus from;

  public IllegalTransitionException(InvoiceStatus from, InvoiceStatus to) {
    this(from, "a " + from.value() + " invoice cannot become " + to.value());
  }

  /** Refused for another reason than its status alone, which {@code message} gives. */
  public IllegalTransitionException(InvoiceStatus from, String message) {
    super(message);
    this.from = from;
  }

  public InvoiceStatus from() {
    return from;
  }
}
