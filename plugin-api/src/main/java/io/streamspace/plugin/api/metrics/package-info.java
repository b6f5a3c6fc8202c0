/**
 * Counters and timers a plugin reports through the host's metrics ({@link
 * io.streamspace.plugin.api.metrics.PluginMetrics}). Stable since 0.2.
 */
package io.streamspace.plugin.api.metrics;
