package io.streamspace.plugin.api.session;

import java.util.List;

/**
 * Allow, or deny with a reason the platform shows to the user.
 *
 * @param allowed whether the session may start (or the member be added)
 * @param code    machine-readable reason when denied ({@code quota_exceeded}, say), else null
 * @param reason  human-readable reason when denied, else null
 * @param upgrade the id of the plan that would allow what was denied, or null when none would
 *                (or the plugin does not say). Since 0.3.
 * @param pack    the id of the capacity pack that, bought on top of the current plan, would
 *                allow what was denied, or null when none would (or the plugin does not say).
 *                Since 0.3.
 * @param topUp   when denied for want of prepaid money: the top-ups that would allow it, the
 *                least first; else empty (never null). Unmodifiable. Since 0.4.
 *
 * <p>Stable since 0.1.
 */
public record AdmissionDecision(
    boolean allowed, String code, String reason, String upgrade, String pack, List<TopUp> topUp) {

  private static final AdmissionDecision ALLOW =
      new AdmissionDecision(true, null, null, null, null);

  public AdmissionDecision {
    topUp = topUp == null ? List.of() : List.copyOf(topUp);
  }

  /**
   * A decision that suggests no top-up, as before 0.4.
   *
   * @since 0.3
   */
  public AdmissionDecision(
      boolean allowed, String code, String reason, String upgrade, String pack) {
    this(allowed, code, reason, upgrade, pack, List.of());
  }

  /** A decision without an upgrade, as before 0.3. */
  public AdmissionDecision(boolean allowed, String code, String reason) {
    this(allowed, code, reason, null, null);
  }

  /**
   * A decision that may name a plan but no pack.
   *
   * @since 0.3
   */
  public AdmissionDecision(boolean allowed, String code, String reason, String upgrade) {
    this(allowed, code, reason, upgrade, null);
  }

  public static AdmissionDecision allow() {
    return ALLOW;
  }

  public static AdmissionDecision deny(String code, String reason) {
    return new AdmissionDecision(false, code, reason, null, null);
  }

  /**
   * A denial that names the plan ({@code upgrade}, its id) on which it would be allowed.
   *
   * @since 0.3
   */
  public static AdmissionDecision deny(String code, String reason, String upgrade) {
    return new AdmissionDecision(false, code, reason, upgrade, null);
  }

  /**
   * A denial that names the plan ({@code upgrade}) and the capacity pack ({@code pack}) that
   * would each allow it; either may be null.
   *
   * @since 0.3
   */
  public static AdmissionDecision deny(String code, String reason, String upgrade, String pack) {
    return new AdmissionDecision(false, code, reason, upgrade, pack);
  }

  /**
   * This decision suggesting the top-ups that would allow it, the least first.
   *
   * @since 0.4
   */
  public AdmissionDecision withTopUp(List<TopUp> suggestions) {
    return new AdmissionDecision(allowed, code, reason, upgrade, pack, suggestions);
  }
}
