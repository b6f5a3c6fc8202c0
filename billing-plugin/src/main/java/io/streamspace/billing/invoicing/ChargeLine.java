package io.streamspace.billing.invoicing;

import io.streamspace.billing.money.LineUnit;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * One line of what an account owes for a period, before credits: a (prorated) plan fee, usage at
 * the rates, or overage beyond the plan (of a resource's allocation, or of a period counter
 * above its included amount: {@link MeterCharges}), or a coupon's discount of one of those
 * ({@link Discounts}, negative). Stored as a row of {@code billing_invoice_lines}.
 *
 * @param unit      the resource ({@link UsageUnit}) or counter ({@code Meter}) of a usage or
 *                  overage line; null for a plan fee
 * @param quantity  in the unit (a resource's for display only: rounded to {@link
 *                  UsageUnit#QUANTITY_SCALE}; a counter's exact); null
 *                  for a plan fee
 * @param unitPrice the unit price; for a plan fee, the plan's price per interval
 * @param amount    rounded once to the currency's minor unit
 * @param from      the start of what the line covers
 * @param to        its end
 * @param activity  {@code idle} or {@code disconnected} for a usage line of time priced at an
 *                  activity factor, {@code hibernated} for one of hibernated time; else null
 * @param saved     such a line's saving: what its time would have cost at the full price less
 *                  its amount, from the exact sums and rounded once; else null
 */
public record ChargeLine(
    ChargeKind kind,
    String description,
    LineUnit unit,
    BigDecimal quantity,
    BigDecimal unitPrice,
    BigDecimal amount,
    Instant from,
    Instant to,
    String activity,
    BigDecimal saved) {

  /** A line at the full price (or not of usage). */
  public ChargeLine(
      ChargeKind kind,
      String description,
      LineUnit unit,
      BigDecimal quantity,
      BigDecimal unitPrice,
      BigDecimal amount,
      Instant from,
      Instant to) {
    this(kind, description, unit, quantity, unitPrice, amount, from, to, null, null);
  }

  public ChargeLine {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(amount, "amount");
  }

  /** What a line is for; stored lower case in {@code billing_invoice_lines.kind}. */
  public enum ChargeKind {
    PLAN_FEE,
    USAGE,
    OVERAGE,
    /** A capacity pack: a one-time purchase or renewal, or a recurring pack's period. */
    PACK,
    /** An item bought in the add-on store, paid on the invoice. */
    STORE,
    /**
     * What a usage correction made a finalized invoice's line cost more ({@link
     * CorrectionCharges}).
     */
    CORRECTION,

    /** What a redeemed coupon takes off one line, negative ({@link Discounts}). */
    DISCOUNT
  }
}
