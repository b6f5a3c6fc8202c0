package io.streamspace.plugin.api.session;

/**
 * An optional capability of a {@link io.streamspace.plugin.api.PlatformPlugin}: the host asks it
 * before it creates a session, and refuses the session if any plugin denies it. It must answer
 * fast (from memory); it is on the platform's hot path.
 *
 * <p>Stable since 0.1.
 */
public interface AdmissionCheck {

  AdmissionDecision admit(AdmissionRequest request);
}
