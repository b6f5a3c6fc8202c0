package io.streamspace.billing.admission;

import io.streamspace.billing.catalog.Limit;
import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.plugin.api.session.AdmissionDecision;
import java.math.BigDecimal;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether an organization may take one more member: not past its plan's hard {@code members}
 * limit (packs add no seats), nor past the seat limit its Owner set, whichever is lower. A user
 * who already is a member takes no new seat and is always allowed; a soft members limit never
 * refuses (the seats beyond it are billed). A denial's code is {@value #SEAT_LIMIT}; its reason
 * names the members and the limit, and its upgrade the cheapest plan (in the organization's
 * currency) whose members limit would take one more, when the plan's limit is what refuses and
 * the Owner's would not; the reason names plans by name ("the Hobby plan"), the upgrade by id.
 */
final class SeatRules {

  /** The code of a denial at the seat limit. */
  static final String SEAT_LIMIT = "seat_limit";

  /**
   * A plan the organization could move to.
   *
   * @param plan its id and name
   * @param price its fee per interval in the organization's currency
   * @param members its {@code members} limit
   */
  record Offer(NamedPlan plan, BigDecimal price, Limit members) {}

  private SeatRules() {}

  /**
   * @param orgId the organization, as the reason names it
   * @param plan its plan
   * @param planLimit its plan's {@code members} limit
   * @param offers the plans priced in its currency, in the config's order (the first of the
   *     cheapest wins a tie)
   */
  static AdmissionDecision decide(
      String orgId, SeatUse use, NamedPlan plan, Limit planLimit, Supplier<List<Offer>> offers) {
    if (use.alreadyMember()) {
      return AdmissionDecision.allow();
    }
    int next = use.members() + 1;
    Integer owners = use.seatLimit();
    boolean ownerRefuses = owners != null && next > owners;
    boolean planRefuses = !allows(planLimit, next);
    if (!ownerRefuses && !planRefuses) {
      return AdmissionDecision.allow();
    }
    String has = "%s has %s".formatted(orgId, members(use.members()));
    boolean ownersIsLower =
        ownerRefuses
            && (!planRefuses || BigDecimal.valueOf(owners).compareTo(planLimit.amount()) <= 0);
    if (ownersIsLower) {
      return AdmissionDecision.deny(
          SEAT_LIMIT,
          "Seat limit reached: %s, the seat limit its owner set is %d.".formatted(has, owners));
    }
    String reason =
        "Seat limit reached: %s, the hard limit of %s is %s."
            .formatted(has, plan.phrase(), AdmissionRules.plain(planLimit.amount()));
    // an upgrade helps only when the owner's limit would take one more too
    Optional<Offer> upgrade =
        ownerRefuses
            ? Optional.empty()
            : offers.get().stream()
                .filter(offer -> !offer.plan().id().equals(plan.id()))
                .filter(offer -> allows(offer.members(), next))
                .min(Comparator.comparing(Offer::price));
    return upgrade
        .map(
            offer ->
                AdmissionDecision.deny(
                    SEAT_LIMIT,
                    reason + " The %s plan allows more.".formatted(offer.plan().name()),
                    offer.plan().id()))
        .orElseGet(() -> AdmissionDecision.deny(SEAT_LIMIT, reason));
  }

  /** Whether a members limit lets the organization have {@code members}. */
  private static boolean allows(Limit limit, int members) {
    return limit.unlimited()
        || limit.kind() == LimitKind.SOFT
        || BigDecimal.valueOf(members).compareTo(limit.amount()) <= 0;
  }

  private static String members(int count) {
    return count == 1 ? "1 member" : count + " members";
  }
}
