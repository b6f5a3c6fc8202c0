package io.streamspace.billing.audit;

import java.util.Objects;

/**
 * Why a change happens, as its audit entry tells it: who made it, the reason they gave (required
 * of an admin, checked where the request is read), and the id of the request that carried it
 * (the host's {@code X-Request-Id}; null for jobs and when the host passed none).
 */
public record Cause(Actor actor, String reason, String requestId) {

  /** The longest reason kept: what an auditor reads, not a document. */
  public static final int MAX_REASON_LENGTH = 1000;

  public Cause {
    Objects.requireNonNull(actor, "actor");
  }

  /**
   * Whether {@code reason} says nothing, and is refused wherever a reason is required as a
   * missing one is: null, blank, or without a single letter or digit (only punctuation,
   * whitespace, or invisible characters such as a zero-width space U+200B). The one check of
   * every reason the plugin takes: a request body's, a configuration change's.
   */
  public static boolean saysNothing(String reason) {
    return reason == null || reason.codePoints().noneMatch(Character::isLetterOrDigit);
  }

  /** A job's change: no reason, no request. */
  public static Cause job(String jobName) {
    return new Cause(Actor.job(jobName), null, null);
  }

  /** A change the platform's events made (a membership, an organization's closing). */
  public static Cause platform() {
    return new Cause(Actor.platform(), null, null);
  }

  /** A verified Stripe webhook's change, by its event id. */
  public static Cause stripe(String stripeEventId) {
    return new Cause(Actor.stripe(stripeEventId), null, null);
  }
}
