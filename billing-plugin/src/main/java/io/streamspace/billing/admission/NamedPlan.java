package io.streamspace.billing.admission;

import io.streamspace.billing.config.BillingConfig;

/**
 * A plan as a refusal knows it: its id for the machine fields ({@code upgrade}) and comparisons,
 * its name for the sentence people read ("the Hobby plan"), and the version of it an account is
 * on when that is an older one than the latest, whose limits the plan as configured no longer
 * has ("version 1 of the Pro plan"); null otherwise.
 */
record NamedPlan(String id, String name, Integer version) {

  /** A plan named without a version. */
  NamedPlan(String id, String name) {
    this(id, name, null);
  }

  /** The plan of that id, named as {@link BillingConfig#planName} names it. */
  static NamedPlan of(BillingConfig config, String planId) {
    return new NamedPlan(planId, config.planName(planId));
  }

  /** The same plan, named with the (older) version an account is on. */
  NamedPlan onVersion(int older) {
    return new NamedPlan(id, name, older);
  }

  /** How a sentence names it: "the Hobby plan", or "version 1 of the Pro plan". */
  String phrase() {
    String plan = "the " + name + " plan";
    return version == null ? plan : "version " + version + " of " + plan;
  }
}
