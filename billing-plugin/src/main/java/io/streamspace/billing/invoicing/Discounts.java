package io.streamspace.billing.invoicing;

import io.streamspace.billing.coupons.AppliesTo;
import io.streamspace.billing.coupons.Discount;
import io.streamspace.billing.invoicing.ChargeLine.ChargeKind;
import io.streamspace.billing.money.LargestRemainder;
import io.streamspace.billing.money.LineUnit;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a redeemed coupon takes off an invoice it covers: a {@code discount} line of its own for
 * each line it applies to, after the charges, before tax and credits, negative. Pure: it reads
 * nothing, and never takes off a line more than the line's amount.
 *
 * <ul>
 *   <li><b>What it applies to</b> ({@link AppliesTo}): the plan fee lines of its plans (the plan
 *       of the term the line bills), the usage and overage lines of its meters ({@code
 *       cpu_cores} for CPU, {@code memory_gb}, {@code storage_gb}, a held meter's or a
 *       counter's id, {@code members} for seats), the store item lines with {@code store}.
 *       Packs and credits are never discounted.
 *   <li><b>A percentage</b>: each such line's discount is {@code amount × percent / 100},
 *       rounded once, half up, to the currency's minor unit ({@link Money#lineTotal}).
 *   <li><b>An amount</b> (in the invoice's currency; one in another currency takes nothing off):
 *       at most what the lines it applies to come to, {@code min(amount, Σ lines)}, shared
 *       among them in proportion to their amounts by {@link LargestRemainder}, so the discount
 *       lines add up to it exactly and none exceeds its line. On an invoice whose plan fee a
 *       Stripe Subscription charges ({@link Discount#stripeFees}), the fee lines it charges
 *       first, then the rest off the other lines ({@link #off}).
 * </ul>
 *
 * <p>Two discounts on one invoice (never two at once by redemption's rules, but a period may see
 * one end and the next begin) each take off what the earlier left of a line.
 */
public final class Discounts {

  /**
   * A discount line and what it was computed from.
   *
   * @param index its place among the invoice's charge lines (from 0)
   * @param discounted the place of the line it takes something off
   */
  record DiscountLine(int index, int discounted, ChargeLine line, Discount discount) {}

  private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

  private Discounts() {}

  /**
   * The discount lines of {@code discounts} on {@code charges}, numbered after them.
   *
   * @param terms the plans the charges were priced with (a plan fee line's plan)
   */
  static List<DiscountLine> of(
      List<ChargeLine> charges, List<PlanTerm> terms, List<Discount> discounts, Currency currency) {
    BigDecimal[] left = charges.stream().map(ChargeLine::amount).toArray(BigDecimal[]::new);
    List<DiscountLine> lines = new ArrayList<>();
    for (Discount discount : discounts) {
      List<Integer> applies = new ArrayList<>();
      for (int i = 0; i < charges.size(); i++) {
        if (left[i].signum() > 0 && appliesTo(discount.appliesTo(), charges.get(i), terms)) {
          applies.add(i);
        }
      }
      Map<Integer, BigDecimal> off = off(discount, applies, left, charges, currency);
      for (Map.Entry<Integer, BigDecimal> part : off.entrySet()) {
        int i = part.getKey();
        if (part.getValue().signum() == 0) {
          continue;
        }
        left[i] = left[i].subtract(part.getValue());
        ChargeLine discounted = charges.get(i);
        lines.add(
            new DiscountLine(
                charges.size() + lines.size(),
                i,
                new ChargeLine(
                    ChargeKind.DISCOUNT,
                    prefix(discount.couponId())
                        + discount.describeTerms()
                        + "): "
                        + discounted.description(),
                    null,
                    null,
                    null,
                    part.getValue().negate(),
                    discounted.from(),
                    discounted.to()),
                discount));
      }
    }
    return lines;
  }

  /**
   * Whether a discount line's description names the coupon: {@code Coupon SPRING20 (20 % off):
   * Pro, 2026-01-01 – 2026-02-01} is SPRING20's. A draft's lines are not stored with their
   * redemption, so its explanation knows a discount line's coupon by this.
   */
  public static boolean describesCoupon(String description, String couponId) {
    return description.startsWith(prefix(couponId));
  }

  private static String prefix(String couponId) {
    return "Coupon " + couponId + " (";
  }

  /**
   * What the discount takes off each line it applies to, by line. An amount on an invoice whose
   * plan fee a Stripe Subscription charges is taken off the fee lines the Subscription charges
   * first, then what is left of it off the others: Stripe takes the coupon off the
   * Subscription's invoice (it carries the coupon, and our mirror leaves those lines and their
   * discounts to it), so the others may take only the rest, and the amount is taken once in all.
   */
  private static Map<Integer, BigDecimal> off(
      Discount discount,
      List<Integer> applies,
      BigDecimal[] left,
      List<ChargeLine> charges,
      Currency currency) {
    Map<Integer, BigDecimal> off = new TreeMap<>();
    if (applies.isEmpty()) {
      return off;
    }
    if (discount.percentOff() != null) {
      for (int i : applies) {
        off.put(i, Money.lineTotal(left[i].multiply(discount.percentOff()), HUNDRED, currency));
      }
      return off;
    }
    if (!currency.equals(discount.currency())) {
      return off; // an amount in another currency: nothing to take it off
    }
    List<Integer> atStripe =
        applies.stream()
            .filter(
                i ->
                    discount.stripeFees() != null
                        && charges.get(i).kind() == ChargeKind.PLAN_FEE
                        && discount.stripeFees().charges(charges.get(i).from()))
            .toList();
    off.putAll(shared(discount.amountOff(), atStripe, left, currency));
    BigDecimal taken = off.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    List<Integer> ours = applies.stream().filter(i -> !atStripe.contains(i)).toList();
    off.putAll(shared(discount.amountOff().subtract(taken), ours, left, currency));
    return off;
  }

  /**
   * {@code amount}, at most what {@code lines} come to, shared among them in proportion to what
   * is left of each, by largest remainder.
   */
  private static Map<Integer, BigDecimal> shared(
      BigDecimal amount, List<Integer> lines, BigDecimal[] left, Currency currency) {
    BigDecimal base = BigDecimal.ZERO;
    for (int i : lines) {
      base = base.add(left[i]);
    }
    if (base.signum() == 0) {
      return Map.of();
    }
    BigDecimal total = amount.min(base);
    Map<Integer, BigDecimal> shares = new TreeMap<>();
    for (int i : lines) {
      shares.put(i, left[i].multiply(total));
    }
    return LargestRemainder.split(total, shares, base, currency);
  }

  /** Whether the coupon's {@code applies_to} takes something off the line. */
  static boolean appliesTo(AppliesTo appliesTo, ChargeLine line, List<PlanTerm> terms) {
    return switch (line.kind()) {
      case PLAN_FEE ->
          terms.stream()
              .filter(
                  t ->
                      !t.from().isAfter(line.from())
                          && (t.to() == null || t.to().isAfter(line.from())))
              .anyMatch(t -> appliesTo.plans().contains(t.planId()));
      case USAGE, OVERAGE ->
          line.unit() != null && appliesTo.meters().contains(meterId(line.unit()));
      case STORE -> appliesTo.store();
      default -> false; // packs, and discounts themselves, are never discounted
    };
  }

  /**
   * The meter of a line's unit, as a coupon names it: the built-in resources' usage records
   * are {@code cpu}, {@code memory} and {@code storage}, their meters {@code cpu_cores}, {@code
   * memory_gb}, {@code storage_gb}; a held meter's records and a counter's lines carry its id.
   */
  static String meterId(LineUnit unit) {
    return switch (unit.resourceType()) {
      case "cpu" -> "cpu_cores";
      case "memory" -> "memory_gb";
      case "storage" -> "storage_gb";
      default -> unit.resourceType();
    };
  }
}
