package io.streamspace.host.plugins;

import io.streamspace.plugin.api.PlatformPlugin;
import java.util.Optional;

/**
 * One plugin as the host manages it: its package, what the admin decided (installed, enabled,
 * config) and whether its code is running. Mutated only by {@link PluginRegistry} under its lock.
 */
public final class ManagedPlugin {

  /** Where a plugin stands on this node. */
  public enum State {
    NOT_INSTALLED,
    STARTED,
    DISABLED,
    FAILED;

    /** The lower-case name the HTTP API shows. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final PluginPackage pluginPackage;
  private volatile boolean installed;
  private volatile boolean enabled;
  private volatile String configJson = "{}";
  private volatile String secretsJson = "{}";
  private volatile long version;
  private volatile State state = State.NOT_INSTALLED;
  private volatile HostPluginContext context;
  private volatile String failure;
  private volatile PluginStateStore.InstalledPackage installedPackage;

  ManagedPlugin(PluginPackage pluginPackage) {
    this.pluginPackage = pluginPackage;
  }

  public String id() {
    return pluginPackage.descriptor().id();
  }

  public PluginPackage.Descriptor descriptor() {
    return pluginPackage.descriptor();
  }

  public PlatformPlugin extension() {
    return pluginPackage.extension();
  }

  /** The extension's display name, else the plugin id. */
  public String name() {
    String displayName = extension().displayName();
    return displayName == null || displayName.isBlank() ? id() : displayName;
  }

  public boolean installed() {
    return installed;
  }

  public boolean enabled() {
    return enabled;
  }

  public State state() {
    return state;
  }

  /** The configuration the admin saved, as JSON object text. */
  public String configJson() {
    return configJson;
  }

  /** The secrets the admin set, encrypted, by secret key, as JSON object text. */
  String secretsJson() {
    return secretsJson;
  }

  /** The version of the stored state this node applied last. */
  long version() {
    return version;
  }

  PluginPackage pluginPackage() {
    return pluginPackage;
  }

  Optional<HostPluginContext> context() {
    return Optional.ofNullable(context);
  }

  void decided(PluginStateStore.StoredState stored) {
    this.installed = stored.installed();
    this.enabled = stored.enabled();
    this.configJson = stored.configJson();
    this.secretsJson = stored.secretsJson();
    this.version = stored.version();
    this.installedPackage = stored.installedPackage();
  }

  /** The package it was installed from, as stored (its fields null when put in by hand). */
  PluginStateStore.InstalledPackage installedPackage() {
    return installedPackage;
  }

  void running(HostPluginContext context) {
    this.context = context;
    this.state = State.STARTED;
  }

  void stopped(State newState) {
    this.context = null;
    this.state = newState;
  }

  /** Why its code failed to start last, or null. */
  String failure() {
    return failure;
  }

  void failed(Throwable cause) {
    stopped(State.FAILED);
    this.failure = cause.toString().lines().findFirst().orElse("");
  }
}
