/**
 * What a plugin stored, as the host lets an admin remove it. Stable since 0.2.
 */
package io.streamspace.plugin.api.data;
