package io.streamspace.billing.payments.mirror;

import io.streamspace.billing.payments.stripe.InvoiceMirrorGateway.Item;
import java.math.BigDecimal;
import java.util.List;

/**
 * Which lines of our invoice become items of its Stripe invoice: today every line, in line order.
 * This is the one place to change if a line is ever billed by Stripe otherwise (a plan fee a
 * Stripe Subscription charges would be left out here, and the mirror's total check would then
 * compare with the lines kept).
 */
final class MirroredLines {

  /** A stored line of our invoice: its 1-based number, kind, description and amount. */
  record Line(int number, String kind, String description, BigDecimal amount) {}

  private MirroredLines() {}

  static List<Item> of(List<Line> lines) {
    return lines.stream().map(l -> new Item(l.number(), l.description(), l.amount())).toList();
  }
}
