package io.streamspace.host.catalog;

/** Where the host fetches plugin releases from: its plugin repositories. */
public interface PluginReleases {

  /**
   * Fetches a release of a plugin, verified.
   *
   * @param version the release to fetch; null for the latest one compatible with this host
   * @throws ReleaseRefused when there is no such plugin or release, its checksum does not match
   *     (nothing is left on disk), it requires another plugin-api version, or no repository
   *     answers
   */
  FetchedRelease fetch(String pluginId, String version) throws ReleaseRefused;

  /** Whether a repository that can be read lists the plugin (an unreadable one does not). */
  boolean lists(String pluginId);
}
