package io.streamspace.billing.admission;

import io.streamspace.billing.caps.MemberCap;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.session.AdmissionDecision;
import java.math.BigDecimal;

/**
 * Whether a member's new session under an organization stays within the cap the organization's
 * Admin or Owner set for them: its size added to what the member's open sessions under that
 * organization hold may not pass the cap of any capped meter (checked in {@link
 * MemberCap#METERS} order). A denial's code is {@value #CODE}; its reason names the meter, the
 * member's use under the organization and the cap. The organization's own limits are {@link
 * AdmissionRules}'.
 */
final class MemberCapRule {

  /** The code of a denial at a member's cap. */
  static final String CODE = "member_cap";

  private MemberCapRule() {}

  /**
   * @param use what the member holds under the organization, not counting this session, and
   *     their cap; null when they have none
   */
  static AdmissionDecision decide(
      MemberUse use, ResourceSize requested, String userId, String orgId) {
    if (use == null) {
      return AdmissionDecision.allow();
    }
    for (Meter meter : MemberCap.METERS) {
      BigDecimal cap = use.cap().get(meter);
      if (cap == null) {
        continue;
      }
      BigDecimal used = use.used(meter);
      BigDecimal needed = AdmissionRules.needed(requested, meter);
      if (used.add(needed).compareTo(cap) > 0) {
        AdmissionRules.Label label = AdmissionRules.label(meter);
        return AdmissionDecision.deny(
            CODE,
            "%s cap reached: %s %s in use by %s under %s plus %s for this session would pass"
                    .formatted(
                        label.name(),
                        AdmissionRules.plain(used),
                        label.units(),
                        userId,
                        orgId,
                        AdmissionRules.plain(needed))
                + " the cap of %s %s set for %s inside %s."
                    .formatted(AdmissionRules.plain(cap), label.units(), userId, orgId));
      }
    }
    return AdmissionDecision.allow();
  }
}
