/**
 * Typed platform events delivered to {@link io.streamspace.plugin.api.PlatformPlugin} hooks.
 * Every event carries an {@code id} for de-duplication and an {@code occurredAt} instant.
 * {@link io.streamspace.plugin.api.event.DeadLetters} keeps those a plugin can never store.
 * Stable since 0.1 ({@code DeadLetters} and {@code UsageReport} since 0.2, {@code
 * OrganizationEvent} and {@code JournalEvents}, a read-only look into the host's journal, since
 * 0.3, as {@code BilledOrganization}, the rule of which organization pays, and {@code
 * billedOrgId()} on session events and usage reports).
 */
package io.streamspace.plugin.api.event;
