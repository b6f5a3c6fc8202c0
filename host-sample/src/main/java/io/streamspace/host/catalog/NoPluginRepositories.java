package io.streamspace.host.catalog;

/** The plugin releases of a host with no plugin repository: every fetch is refused. */
public final class NoPluginRepositories implements PluginReleases {

  @Override
  public FetchedRelease fetch(String pluginId, String version) throws ReleaseRefused {
    throw new ReleaseRefused(ReleaseRefused.Reason.UNREACHABLE, "no plugin repository configured");
  }
}
