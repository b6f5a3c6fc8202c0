package io.streamspace.billing.payments.mirror;

import io.streamspace.billing.stripe.InvoiceMirrorGateway.Item;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Which lines of our invoice become items of its Stripe invoice, in line order: every line (the
 * credits applied among them, negative), but the plan fee lines from when a Stripe Subscription
 * began to collect the organization's plan fee (it bills that fee, prorations included, itself;
 * the fee of a plan billed by us before it stays on the mirror), and a coupon's discount of
 * such a fee with it (the Subscription carries the coupon at Stripe); then the
 * tax Stripe Tax calculated on the lines kept, when the prices exclude it, as one item numbered
 * {@value #TAX_ITEM}. The Stripe invoice's total is checked against these items' sum.
 */
final class MirroredLines {

  /** The number of the item carrying the tax (lines are numbered from 1). */
  static final int TAX_ITEM = 0;

  /**
   * A stored line of our invoice: its 1-based number, kind (a coupon's discount line has the
   * kind of the line it discounts: a Subscription that charges a plan fee carries the coupon
   * itself), description, amount, the tax on it added on top (0 without tax or with prices that
   * include it), and the start of what it bills (null for a line of no period, as a credit).
   */
  record Line(
      int number,
      String kind,
      String description,
      BigDecimal amount,
      BigDecimal tax,
      Instant periodStart) {

    /** Whether the Subscription that began at {@code from} charges it: a plan fee from then on. */
    boolean chargedBySubscriptionFrom(Instant from) {
      return "plan_fee".equals(kind)
          && (from == null || periodStart == null || !periodStart.isBefore(from));
    }
  }

  private MirroredLines() {}

  /**
   * The items of {@code lines}.
   *
   * @param subscriptionId the Stripe Subscription collecting the plan fee, or null for none
   * @param subscribedFrom when it began to
   */
  static List<Item> of(List<Line> lines, String subscriptionId, Instant subscribedFrom) {
    List<Line> kept =
        lines.stream()
            .filter(l -> subscriptionId == null || !l.chargedBySubscriptionFrom(subscribedFrom))
            .toList();
    List<Item> items = new ArrayList<>();
    kept.forEach(l -> items.add(new Item(l.number(), l.description(), l.amount())));
    BigDecimal tax = kept.stream().map(Line::tax).reduce(BigDecimal.ZERO, BigDecimal::add);
    if (tax.signum() != 0) {
      items.add(new Item(TAX_ITEM, "Tax (Stripe Tax)", tax));
    }
    return items;
  }

  /** The items' sum: what the Stripe invoice totals. */
  static BigDecimal total(List<Item> items) {
    return items.stream().map(Item::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
  }
}
