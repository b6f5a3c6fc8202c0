/** Plugin configuration: what the admin saved, its schema, and its validation. Stable since 0.1. */
package io.streamspace.plugin.api.config;
