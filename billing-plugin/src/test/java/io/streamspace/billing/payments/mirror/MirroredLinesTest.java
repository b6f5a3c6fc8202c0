package io.streamspace.billing.payments.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.stripe.InvoiceMirrorGateway.Item;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The items of a Stripe invoice mirroring ours, by hand: a 29.99 plan fee with 2.17 of tax, 10.00
 * of usage with 0.73 of tax, and a 5.00 credit (no tax), the tax added on top.
 */
class MirroredLinesTest {

  private static final Instant MARCH = Instant.parse("2026-03-01T00:00:00Z");

  private static final List<MirroredLines.Line> LINES =
      List.of(
          new MirroredLines.Line(
              1, "plan_fee", "Pro", new BigDecimal("29.99"), new BigDecimal("2.17"), MARCH),
          new MirroredLines.Line(
              2, "usage", "CPU", new BigDecimal("10.00"), new BigDecimal("0.73"), MARCH),
          new MirroredLines.Line(
              3, "credit", "Credit", new BigDecimal("-5.00"), BigDecimal.ZERO, null));

  @Test
  void everyLineIsAnItem_andTheirTaxOneItemMore_summingToOurTotal() {
    List<Item> items = MirroredLines.of(LINES, null, null);

    assertEquals(
        List.of(
            new Item(1, "Pro", new BigDecimal("29.99")),
            new Item(2, "CPU", new BigDecimal("10.00")),
            new Item(3, "Credit", new BigDecimal("-5.00")),
            new Item(MirroredLines.TAX_ITEM, "Tax (Stripe Tax)", new BigDecimal("2.90"))),
        items);
    // 29.99 + 10.00 − 5.00 + 2.17 + 0.73
    assertEquals(new BigDecimal("37.89"), MirroredLines.total(items));
  }

  @Test
  void aPlanFeeASubscriptionCollectsIsLeftOut_withItsTax() {
    List<Item> items = MirroredLines.of(LINES, "sub_ann", MARCH);

    assertEquals(
        List.of(
            new Item(2, "CPU", new BigDecimal("10.00")),
            new Item(3, "Credit", new BigDecimal("-5.00")),
            new Item(MirroredLines.TAX_ITEM, "Tax (Stripe Tax)", new BigDecimal("0.73"))),
        items);
    assertEquals(new BigDecimal("5.73"), MirroredLines.total(items));
  }

  /**
   * On Pro billed by us from March 1, then on Enterprise through a Stripe Subscription from March
   * 20: Pro's fee until then (29.99 × 19 ÷ 31 = 18.38) stays ours to collect, Enterprise's is
   * the Subscription's.
   */
  @Test
  void theFeeOfAPlanBilledByUsBeforeTheSubscriptionBeganStaysOnTheMirror() {
    Instant twentieth = Instant.parse("2026-03-20T00:00:00Z");
    List<MirroredLines.Line> lines =
        List.of(
            new MirroredLines.Line(
                1, "plan_fee", "Pro", new BigDecimal("18.38"), BigDecimal.ZERO, MARCH),
            new MirroredLines.Line(
                2, "plan_fee", "Enterprise", new BigDecimal("38.70"), BigDecimal.ZERO, twentieth));

    assertEquals(
        List.of(new Item(1, "Pro", new BigDecimal("18.38"))),
        MirroredLines.of(lines, "sub_ann", twentieth));
  }
}
