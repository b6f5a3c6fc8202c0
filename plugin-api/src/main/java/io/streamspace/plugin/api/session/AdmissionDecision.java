package io.streamspace.plugin.api.session;

/**
 * Allow, or deny with a reason the platform shows to the user.
 *
 * @param allowed whether the session may start
 * @param code    machine-readable reason when denied ({@code quota_exceeded}, say), else null
 * @param reason  human-readable reason when denied, else null
 *
 * <p>Stable since 0.1.
 */
public record AdmissionDecision(boolean allowed, String code, String reason) {

  private static final AdmissionDecision ALLOW = new AdmissionDecision(true, null, null);

  public static AdmissionDecision allow() {
    return ALLOW;
  }

  public static AdmissionDecision deny(String code, String reason) {
    return new AdmissionDecision(false, code, reason);
  }
}
