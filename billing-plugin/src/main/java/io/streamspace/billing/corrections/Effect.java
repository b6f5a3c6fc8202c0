package io.streamspace.billing.corrections;

import io.streamspace.billing.invoicing.ChargeLine;
import io.streamspace.billing.invoicing.Invoice;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What a correction changed of one invoice's charges before credits: the invoice priced without
 * and with it by invoicing's own code, and each of its lines that changed. Pure.
 *
 * @param finalized whether the invoice was finalized: its difference is then a credit note (less)
 *     or correction lines on the organization's next invoice (more); else the invoice bills the
 *     corrected usage itself
 */
record Effect(
    Invoice invoice, boolean finalized, BigDecimal before, BigDecimal after, List<Change> lines) {

  /**
   * A line that changed, keyed as the invoice keys its lines (kind, resource, unit price,
   * activity), with its amounts without and with the correction.
   *
   * @param quantity what the correction added to the line's quantity (null for a line without)
   */
  record Change(
      String kind,
      String resourceType,
      String unit,
      BigDecimal unitPrice,
      String activity,
      String description,
      BigDecimal quantity,
      BigDecimal before,
      BigDecimal after) {

    BigDecimal difference() {
      return after.subtract(before);
    }
  }

  private record Key(String kind, String resourceType, BigDecimal unitPrice, String activity) {
    static Key of(ChargeLine line) {
      return new Key(
          line.kind().name().toLowerCase(Locale.ROOT),
          line.unit() == null ? line.description() : line.unit().resourceType(),
          line.unitPrice() == null ? null : line.unitPrice().stripTrailingZeros(),
          line.activity());
    }
  }

  BigDecimal difference() {
    return after.subtract(before);
  }

  /** The invoice's effect from its lines without and with the correction. */
  static Effect of(Invoice invoice, List<ChargeLine> before, List<ChargeLine> after) {
    Map<Key, ChargeLine[]> paired = new LinkedHashMap<>();
    pair(paired, before, 0);
    pair(paired, after, 1);
    BigDecimal zero = Money.zero(invoice.currency());
    List<Change> changes = new ArrayList<>();
    paired.forEach(
        (key, pair) -> {
          BigDecimal was = pair[0] == null ? zero : pair[0].amount();
          BigDecimal is = pair[1] == null ? zero : pair[1].amount();
          if (was.compareTo(is) != 0) {
            ChargeLine shown = pair[1] != null ? pair[1] : pair[0];
            changes.add(
                new Change(
                    key.kind(),
                    shown.unit() == null ? null : shown.unit().resourceType(),
                    shown.unit() == null ? null : shown.unit().label(),
                    shown.unitPrice(),
                    shown.activity(),
                    shown.description(),
                    quantity(pair[0], pair[1]),
                    was,
                    is));
          }
        });
    return new Effect(
        invoice,
        TouchedInvoices.finalized(invoice),
        total(before, zero),
        total(after, zero),
        changes);
  }

  /** Puts each line at {@code side} of its key's pair, lines of one key summed. */
  private static void pair(Map<Key, ChargeLine[]> paired, List<ChargeLine> lines, int side) {
    for (ChargeLine line : lines) {
      ChargeLine[] pair = paired.computeIfAbsent(Key.of(line), k -> new ChargeLine[2]);
      pair[side] = sum(pair[side], line);
    }
  }

  /** Two lines of one key (a plan's two terms) as one. */
  private static ChargeLine sum(ChargeLine a, ChargeLine b) {
    if (a == null) {
      return b;
    }
    return new ChargeLine(
        a.kind(),
        a.description(),
        a.unit(),
        a.quantity() == null || b.quantity() == null ? null : a.quantity().add(b.quantity()),
        a.unitPrice(),
        a.amount().add(b.amount()),
        a.from(),
        b.to(),
        a.activity(),
        a.saved());
  }

  private static BigDecimal quantity(ChargeLine before, ChargeLine after) {
    BigDecimal was = before == null ? null : before.quantity();
    BigDecimal is = after == null ? null : after.quantity();
    if (was == null && is == null) {
      return null;
    }
    return Objects.requireNonNullElse(is, BigDecimal.ZERO)
        .subtract(Objects.requireNonNullElse(was, BigDecimal.ZERO));
  }

  private static BigDecimal total(List<ChargeLine> lines, BigDecimal zero) {
    return lines.stream().map(ChargeLine::amount).reduce(zero, BigDecimal::add);
  }
}
