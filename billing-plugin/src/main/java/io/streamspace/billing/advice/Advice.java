package io.streamspace.billing.advice;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * What the advisor tells an organization of one billing period ({@link Advisor}). Amounts are
 * charges before credits in the organization's currency, each the sum of lines rounded as an
 * invoice rounds them.
 *
 * @param closed whether the period is over (else: the current one so far)
 * @param planId the plan the organization is on at the period's end (now, for the current one)
 * @param paid what its invoices of the period charge (a draft or the period so far: as it would
 *     be finalized now)
 * @param plans each plan priced in its currency, alone and with its best pack
 * @param cheapest the cheapest of {@code plans}' options
 * @param saving {@code paid} less the cheapest's total; zero when nothing is cheaper
 * @param packs the packs that, on the plans it was on, would have cost less than the overage they
 *     absorb
 * @param rightSizing smaller sizes its sessions' reported use fits ({@link RightSizing})
 */
public record Advice(
    Instant periodStart,
    Instant periodEnd,
    boolean closed,
    String planId,
    BigDecimal paid,
    List<PlanOption> plans,
    Option cheapest,
    BigDecimal saving,
    List<PackOption> packs,
    List<RightSizing.Size> rightSizing) {

  /**
   * One way of being billed: a plan, with a pack or not, and what the period would have cost so.
   *
   * @param packId null without a pack (and {@code packName})
   */
  public record Option(
      String planId, String planName, String packId, String packName, BigDecimal total) {}

  /**
   * A plan: what the period would have cost on it, and on it with the pack that brings it lowest
   * (null when no pack does).
   */
  public record PlanOption(Option alone, Option withPack) {

    Option best() {
      return withPack != null && withPack.total().compareTo(alone.total()) < 0 ? withPack : alone;
    }
  }

  /**
   * A pack that would have cost less than the overage it absorbs on the plans the organization
   * was on.
   *
   * @param overagePaid the overage lines of the meters it adds, as invoiced
   * @param total what the period would have cost with it
   * @param saving {@code paid} less {@code total}
   */
  public record PackOption(
      String packId,
      String name,
      List<String> meters,
      BigDecimal price,
      BigDecimal overagePaid,
      BigDecimal total,
      BigDecimal saving) {}
}
