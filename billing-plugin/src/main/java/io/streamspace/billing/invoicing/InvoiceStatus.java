package io.streamspace.billing.invoicing;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Where an invoice is in its life: {@code draft} (no number, late usage still lands on it),
 * {@code sent} (finalized with a number, due), {@code paid}, {@code overdue} (sent and past its
 * due date) or {@code void}.
 */
public enum InvoiceStatus {
  DRAFT,
  SENT,
  PAID,
  OVERDUE,
  VOID;

  /** As stored and shown: lower case. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The status stored as {@code value}. */
  public static InvoiceStatus of(String value) {
    return parse(value).orElseThrow(() -> new IllegalArgumentException("status " + value));
  }

  /** The status written as {@code value}, if there is one. */
  public static Optional<InvoiceStatus> parse(String value) {
    return Arrays.stream(values()).filter(s -> s.value().equals(value)).findFirst();
  }

  /** Whether an admin may move an invoice from this status to {@code target}. */
  public boolean mayBecome(InvoiceStatus target) {
    return switch (target) {
      // only a finalized invoice is owed, and a paid one stays paid
      case PAID -> this == SENT || this == OVERDUE;
      // money received cannot be voided away (that would be a refund)
      case VOID -> this == DRAFT || this == SENT || this == OVERDUE;
      case DRAFT, SENT, OVERDUE -> false;
    };
  }
}
