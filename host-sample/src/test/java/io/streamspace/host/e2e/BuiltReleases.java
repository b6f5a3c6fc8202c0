package io.streamspace.host.e2e;

import io.streamspace.host.catalog.FetchedRelease;
import io.streamspace.host.catalog.PluginReleases;
import io.streamspace.host.catalog.ReleaseRefused;
import io.streamspace.host.support.TestRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plugin repository in a test: the zips the test built, by version, handed out as the real
 * repositories do (a copy of the zip in a staging folder, with the zip's SHA-512, hashed once per
 * JVM: {@link TestRepository#checksum}).
 */
final class BuiltReleases implements PluginReleases {

  private final Path staging;
  private final Map<String, Path> zips = new LinkedHashMap<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private volatile Runnable onFetch = () -> {};

  BuiltReleases(Path staging) {
    this.staging = staging;
  }

  /** Offers a release of the billing plugin; the last one offered is the latest. */
  synchronized void offer(String version, Path zip) {
    zips.put(version, zip);
  }

  /** Runs {@code action} in every fetch, once the zip is staged, on the fetching thread. */
  void onFetch(Runnable action) {
    onFetch = action;
  }

  /** How many fetches were asked for. */
  int fetches() {
    return fetches.get();
  }

  @Override
  public synchronized FetchedRelease fetch(String pluginId, String version) throws ReleaseRefused {
    fetches.incrementAndGet();
    if (!"billing".equals(pluginId)) {
      throw new ReleaseRefused(ReleaseRefused.Reason.UNKNOWN_PLUGIN, "no plugin " + pluginId);
    }
    String wanted = version != null ? version : zips.keySet().stream().reduce((a, b) -> b).get();
    Path zip = zips.get(wanted);
    if (zip == null) {
      throw new ReleaseRefused(
          ReleaseRefused.Reason.UNKNOWN_VERSION, "no release " + wanted + " of " + pluginId);
    }
    try {
      Files.createDirectories(staging);
      Path fetched = staging.resolve(UUID.randomUUID() + ".zip");
      Files.copy(zip, fetched);
      onFetch.run();
      return new FetchedRelease(
          pluginId, wanted, fetched, TestRepository.checksum(zip), zip.toUri().toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean lists(String pluginId) {
    return "billing".equals(pluginId);
  }
}
