/** Session admission and control offered between host and plugin. Stable since 0.1. */
package io.streamspace.plugin.api.session;
