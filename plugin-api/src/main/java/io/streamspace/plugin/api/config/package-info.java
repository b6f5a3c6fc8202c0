/**
 * Plugin configuration: what the admin saved, its schema, its validation, and the secrets the
 * schema declares. Stable since 0.1; secrets read only when declared since 0.2.
 */
package io.streamspace.plugin.api.config;
