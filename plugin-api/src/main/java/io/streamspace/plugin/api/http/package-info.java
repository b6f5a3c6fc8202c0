/**
 * HTTP routes a plugin serves under {@code /api/plugins/{pluginId}}. The host authenticates the
 * caller (bearer token) and passes who it is; the plugin authorizes. Stable since 0.1.
 */
package io.streamspace.plugin.api.http;
