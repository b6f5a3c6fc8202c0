package io.streamspace.billing.prepaid;

import java.util.Locale;

/**
 * What moved money into or out of a prepaid balance, as {@code billing_prepaid_entries.kind}
 * stores it. Each kind has one sign, which the schema checks: money in is positive, money out
 * negative.
 */
public enum EntryKind {
  /** Bought by the organization (Stripe Checkout, an auto top-up): in. */
  TOP_UP(true),
  /** Given by a platform admin, with a reason: in. */
  GRANT(true),
  /**
   * What rating found an organization on a prepaid plan used, taken from its balance as
   * calculate-usage rates it ({@link Burns}): out.
   */
  BURN(false),
  /** Paid an invoice at its finalization, after its credits: out. */
  INVOICE_APPLIED(false),
  /** The payment of an invoice given back by the invoice's void: in. */
  INVOICE_VOIDED(true),
  /**
   * What a period's burns took beyond what its invoice needed (its credits paid some usage),
   * given back by the invoice's settlement ({@link BalanceApplier}): in.
   */
  BURN_RETURNED(true),
  /** A top-up refunded to the payer: out. */
  REFUND(false),
  /**
   * What a credit note gave back onto the balance (refund {@code balance}) of money already
   * paid: in.
   */
  CREDIT_NOTE(true);

  private final boolean moneyIn;

  EntryKind(boolean moneyIn) {
    this.moneyIn = moneyIn;
  }

  /** Whether its amounts add to the balance (positive) or take from it (negative). */
  public boolean moneyIn() {
    return moneyIn;
  }

  /** Its stored and JSON name: {@code top_up}, {@code invoice_applied}. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  static EntryKind of(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
