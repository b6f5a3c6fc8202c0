package io.streamspace.host.plugins;

import io.streamspace.plugin.api.PlatformPlugin;
import io.streamspace.plugin.api.PluginContext;

/** A started plugin with the context its hooks take. */
public record ActivePlugin(String id, PlatformPlugin extension, PluginContext context) {}
