package io.streamspace.plugin.api.session;

/**
 * An optional capability of a {@link io.streamspace.plugin.api.PlatformPlugin}: the host asks it
 * before it creates a session ({@link #admit}) and, since 0.3, before it adds a member to an
 * organization ({@link #admitMember}), and refuses if any plugin denies. It must answer fast
 * (from memory); it is on the platform's hot path.
 *
 * <p>Stable since 0.1.
 */
public interface AdmissionCheck {

  AdmissionDecision admit(AdmissionRequest request);

  /**
   * Whether the organization may take one more member (a seat limit, say). The host asks every
   * plugin before it adds a member and refuses the member if any denies; a plugin that does not
   * decide memberships keeps this default, which allows. Adding a user who already is a member
   * takes no new seat. A denial may name the plan that would allow it ({@link
   * AdmissionDecision#upgrade()}). The platform stays the source of truth: it may add the member
   * anyway, and a plugin must then count the {@code org.member_added} it is sent as any other.
   *
   * @since 0.3
   */
  default AdmissionDecision admitMember(MemberAdmissionRequest request) {
    return AdmissionDecision.allow();
  }
}
