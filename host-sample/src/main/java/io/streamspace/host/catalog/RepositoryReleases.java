package io.streamspace.host.catalog;

import io.streamspace.host.catalog.ReleaseRefused.Reason;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.pf4j.update.PluginInfo;
import org.pf4j.update.PluginInfo.PluginRelease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's plugin repositories, in the order configured. A plugin comes from the first
 * repository that lists it: its releases there are the ones offered, and a later repository
 * listing the same id is not looked at for it (no mixing of releases from two publishers).
 *
 * <p>A fetched zip lands in {@code <pluginsDir>/.downloads/} (PF4J skips hidden folders; the same
 * file system, so installing it is a move) and is kept only when its SHA-512 is the index's,
 * its own {@code plugin.properties} names the plugin id and version the index gave, and its
 * {@code plugin.requires} accepts this host's plugin-api version. pf4j-update's own downloader
 * and {@code Sha512SumVerifier} are not used: the first writes to the system's temporary folder
 * without timeouts, the second accepts a release with no checksum. Every read has a deadline and
 * a size cap ({@link FetchLimits}), and a URL is shown and stored without its credentials ({@link
 * ShownUrl}). What a host stopped mid-download left in {@code .downloads/} is deleted when this
 * is created, at the host's start.
 */
public final class RepositoryReleases implements PluginReleases {

  /**
   * Every repository's plugins (the first listing of each id), and the repositories unread, by
   * their {@link PluginRepository#shownName}.
   */
  public record Listing(List<PluginRepository.Listed> plugins, List<String> unreachable) {}

  private static final Logger log = LoggerFactory.getLogger(RepositoryReleases.class);

  private final List<PluginRepository> repositories;
  private final Path downloads;
  private final String apiVersion;
  private final FetchLimits limits;

  /**
   * @param repositories folders or http(s) URLs, in the order they are asked
   * @param pluginsDir the plugins folder; fetched zips go to its {@code .downloads/}, emptied now
   * @param apiVersion this host's plugin-api version ({@link PluginApiVersion#current()})
   */
  public RepositoryReleases(List<String> repositories, Path pluginsDir, String apiVersion) {
    this(repositories, pluginsDir, apiVersion, FetchLimits.DEFAULT);
  }

  RepositoryReleases(
      List<String> repositories, Path pluginsDir, String apiVersion, FetchLimits limits) {
    List<PluginRepository> configured = new ArrayList<>();
    for (int i = 0; i < repositories.size(); i++) {
      configured.add(PluginRepository.at(repositories.get(i), i + 1, limits));
    }
    this.repositories = List.copyOf(configured);
    this.downloads = pluginsDir.resolve(".downloads");
    this.apiVersion = apiVersion;
    this.limits = limits;
    emptyDownloads();
  }

  /** Deletes what a stop mid-download or mid-check left: nothing there is anyone's any more. */
  private void emptyDownloads() {
    if (!Files.isDirectory(downloads)) {
      return;
    }
    try (Stream<Path> leftovers = Files.list(downloads)) {
      leftovers.forEach(RepositoryReleases::deleteQuietly);
    } catch (IOException e) {
      log.warn("Could not empty {}", downloads, e);
    }
  }

  /** The plugin-api version releases must accept. */
  public String apiVersion() {
    return apiVersion;
  }

  /** Reads every repository's index; one that cannot be read is named in the listing. */
  public Listing plugins() {
    Map<String, PluginRepository.Listed> byId = new LinkedHashMap<>();
    List<String> unreachable = new ArrayList<>();
    for (PluginRepository repository : repositories) {
      try {
        repository.plugins().forEach(p -> byId.putIfAbsent(p.info().id, p));
      } catch (ReleaseRefused e) {
        logUnreadable(repository, e);
        unreachable.add(repository.shownName());
      }
    }
    return new Listing(List.copyOf(byId.values()), unreachable);
  }

  /** The newest release whose {@code requires} accepts this host, if any. */
  public Optional<PluginRelease> latestCompatible(PluginInfo plugin) {
    return plugin.releases.stream()
        .filter(r -> r.version != null && PluginApiVersion.satisfies(apiVersion, r.requires))
        .max(Comparator.comparing(r -> r.version, PluginApiVersion::compare));
  }

  @Override
  public FetchedRelease fetch(String pluginId, String version) throws ReleaseRefused {
    PluginRepository.Listed listed = find(pluginId);
    PluginInfo plugin = listed.info();
    PluginRelease release = version == null ? latest(plugin) : release(plugin, version);
    requireCompatible(pluginId, release.version, release.requires, "its index entry");
    return download(pluginId, release, listed.repository());
  }

  @Override
  public boolean lists(String pluginId) {
    return plugins().plugins().stream().anyMatch(p -> pluginId.equals(p.info().id));
  }

  /**
   * The plugin as the first repository listing it lists it. None does: {@code unknown_plugin}
   * when at least one repository could be read (it answered: no such plugin), naming those that
   * could not; {@code repository_unreachable} only when none could, as nothing answered.
   */
  private PluginRepository.Listed find(String pluginId) throws ReleaseRefused {
    List<String> unreadable = new ArrayList<>();
    List<String> why = new ArrayList<>();
    for (PluginRepository repository : repositories) {
      try {
        for (PluginRepository.Listed listed : repository.plugins()) {
          if (pluginId.equals(listed.info().id)) {
            return listed;
          }
        }
      } catch (ReleaseRefused e) {
        logUnreadable(repository, e);
        unreadable.add(repository.shownName());
        why.add(e.getMessage());
      }
    }
    if (!repositories.isEmpty() && unreadable.size() == repositories.size()) {
      throw new ReleaseRefused(
          Reason.UNREACHABLE,
          "no plugin repository could be read to find plugin "
              + pluginId
              + ": "
              + String.join("; ", why));
    }
    throw new ReleaseRefused(
        Reason.UNKNOWN_PLUGIN,
        "no plugin repository lists plugin "
            + pluginId
            + (unreadable.isEmpty()
                ? ""
                : " (not read: " + String.join(", ", unreadable) + "; the host's log says why)"));
  }

  /**
   * One line, no stack: the repository as configured (a folder's path too, which no answer shows)
   * and why, down to the root cause's own words.
   */
  private static void logUnreadable(PluginRepository repository, ReleaseRefused e) {
    StringBuilder causes = new StringBuilder();
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      causes.append(" <- ").append(cause);
    }
    log.warn("Plugin repository {}: {}{}", repository.loggedName(), e.getMessage(), causes);
  }

  private PluginRelease latest(PluginInfo plugin) throws ReleaseRefused {
    if (plugin.releases.isEmpty()) {
      throw new ReleaseRefused(Reason.UNKNOWN_VERSION, "plugin " + plugin.id + " has no release");
    }
    return latestCompatible(plugin)
        .orElseThrow(
            () ->
                new ReleaseRefused(
                    Reason.INCOMPATIBLE,
                    "no release of plugin "
                        + plugin.id
                        + " accepts plugin-api "
                        + apiVersion
                        + " (this host's)"));
  }

  private static PluginRelease release(PluginInfo plugin, String version) throws ReleaseRefused {
    return plugin.releases.stream()
        .filter(r -> version.equals(r.version))
        .findFirst()
        .orElseThrow(
            () ->
                new ReleaseRefused(
                    Reason.UNKNOWN_VERSION, "plugin " + plugin.id + " has no release " + version));
  }

  private void requireCompatible(String pluginId, String version, String requires, String where)
      throws ReleaseRefused {
    boolean accepted;
    try {
      accepted = PluginApiVersion.satisfies(apiVersion, requires);
    } catch (RuntimeException e) {
      accepted = false;
    }
    if (!accepted) {
      throw new ReleaseRefused(
          Reason.INCOMPATIBLE,
          "plugin "
              + pluginId
              + " "
              + version
              + " requires plugin-api "
              + requires
              + " ("
              + where
              + "); this host has plugin-api "
              + apiVersion);
    }
  }

  private FetchedRelease download(
      String pluginId, PluginRelease release, PluginRepository repository) throws ReleaseRefused {
    String expected = release.sha512sum == null ? "" : release.sha512sum.toLowerCase();
    if (!expected.matches("[0-9a-f]{128}")) {
      throw new ReleaseRefused(
          Reason.CHECKSUM_MISMATCH,
          "the index gives plugin " + pluginId + " " + release.version + " no SHA-512 to check");
    }
    String shownUrl = repository.shown(release.url);
    Path zip = null;
    boolean kept = false;
    try {
      Files.createDirectories(downloads);
      zip = Files.createTempFile(downloads, pluginId + "-" + release.version + "-", ".zip");
      try (OutputStream out = Files.newOutputStream(zip)) {
        BoundedFetch.copy(
            URI.create(release.url), out, limits.downloadMaxBytes(), limits.downloadDeadline());
      } catch (IOException | IllegalArgumentException | NullPointerException e) {
        throw new ReleaseRefused(
            Reason.UNREACHABLE,
            "plugin "
                + pluginId
                + " "
                + release.version
                + " could not be downloaded from "
                + shownUrl
                + ": "
                + (e instanceof IOException ? e.getMessage() : "not a URL"),
            e);
      }
      String actual = PluginZip.sha512(zip);
      if (!actual.equals(expected)) {
        throw new ReleaseRefused(
            Reason.CHECKSUM_MISMATCH,
            "plugin "
                + pluginId
                + " "
                + release.version
                + " from "
                + shownUrl
                + " does not have the SHA-512 its index gives; refused");
      }
      refuseZipSlip(pluginId, release, zip, shownUrl);
      checkDescriptor(pluginId, release, zip);
      kept = true;
      return new FetchedRelease(pluginId, release.version, zip, actual, ShownUrl.of(release.url));
    } catch (IOException e) {
      throw new ReleaseRefused(
          Reason.INCOMPATIBLE,
          "plugin "
              + pluginId
              + " "
              + release.version
              + " is not a PF4J plugin zip: "
              + e.getMessage(),
          e);
    } finally {
      if (!kept && zip != null) {
        deleteQuietly(zip);
      }
    }
  }

  /** A zip with an entry that would be unpacked outside the plugin's folder is refused, logged. */
  private static void refuseZipSlip(
      String pluginId, PluginRelease release, Path zip, String shownUrl)
      throws IOException, ReleaseRefused {
    Optional<String> outside = PluginZip.entryOutsideItsFolder(zip);
    if (outside.isEmpty()) {
      return;
    }
    String entry = outside.get().replace("\0", "\\0");
    String shownEntry = entry.length() > 200 ? entry.substring(0, 200) + "..." : entry;
    log.warn(
        "Plugin {} {} from {} refused: its zip has the entry '{}', which would be unpacked"
            + " outside the plugin's folder (a zip slip)",
        pluginId,
        release.version,
        ShownUrl.of(release.url),
        entry);
    throw new ReleaseRefused(
        Reason.INVALID_PACKAGE,
        "plugin "
            + pluginId
            + " "
            + release.version
            + " from "
            + shownUrl
            + " is not a package this host unpacks: its entry '"
            + shownEntry
            + "' would be written outside the plugin's folder; nothing was installed");
  }

  private void checkDescriptor(String pluginId, PluginRelease release, Path zip)
      throws IOException, ReleaseRefused {
    Properties descriptor = PluginZip.descriptor(zip);
    String id = descriptor.getProperty("plugin.id");
    String version = descriptor.getProperty("plugin.version");
    if (!pluginId.equals(id) || !release.version.equals(version)) {
      throw new ReleaseRefused(
          Reason.INCOMPATIBLE,
          "the index lists plugin "
              + pluginId
              + " "
              + release.version
              + " but its zip's plugin.properties says "
              + id
              + " "
              + version);
    }
    requireCompatible(
        pluginId, version, descriptor.getProperty("plugin.requires"), "its plugin.properties");
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.warn("Could not delete download {}", file, e);
    }
  }
}
