package io.streamspace.host.jobs;

import io.streamspace.plugin.api.jobs.PluginJob;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The job code plugins registered on this node. Quartz stores only the dispatcher's class name
 * and the (plugin id, job name) pair; the code itself lives in the plugin's class loader, so
 * each node keeps it here.
 */
public final class PluginJobRegistry {

  private record Key(String pluginId, String jobName) {}

  private final Map<Key, PluginJob> jobs = new ConcurrentHashMap<>();

  public void register(String pluginId, String jobName, PluginJob job) {
    jobs.put(new Key(pluginId, jobName), job);
  }

  public void remove(String pluginId, String jobName) {
    jobs.remove(new Key(pluginId, jobName));
  }

  /** Forgets every job of a plugin, whose code is going away (disable). */
  public void removePlugin(String pluginId) {
    jobs.keySet().removeIf(key -> key.pluginId().equals(pluginId));
  }

  public Optional<PluginJob> find(String pluginId, String jobName) {
    return Optional.ofNullable(jobs.get(new Key(pluginId, jobName)));
  }
}
