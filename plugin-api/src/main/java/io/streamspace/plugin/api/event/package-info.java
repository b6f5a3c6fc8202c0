/**
 * Typed platform events delivered to {@link io.streamspace.plugin.api.PlatformPlugin} hooks.
 * Every event carries an {@code id} for de-duplication and an {@code occurredAt} instant.
 * Stable since 0.1.
 */
package io.streamspace.plugin.api.event;
