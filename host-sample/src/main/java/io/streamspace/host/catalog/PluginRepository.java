package io.streamspace.host.catalog;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.pf4j.update.PluginInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One plugin repository in pf4j-update's format: a folder or an http(s) URL holding
 * {@code plugins.json}, a list of plugins (id, name, description, provider, projectUrl, releases:
 * version, date, requires, url relative to the repository or absolute, sha512sum), each with an
 * optional {@code tags} array of our own. The index is read anew on every call: it is small, and
 * a release published meanwhile shows at once.
 */
public final class PluginRepository {

  /** A plugin as a repository lists it, its release URLs made absolute. */
  public record Listed(PluginInfo info, List<String> tags, PluginRepository repository) {}

  private static final Logger log = LoggerFactory.getLogger(PluginRepository.class);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration READ_TIMEOUT = Duration.ofMinutes(2);
  private static final ObjectMapper INDEX =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final String location;
  private final URI base;

  private PluginRepository(String location, URI base) {
    this.location = location;
    this.base = base;
  }

  /** A repository at a folder path, a {@code file:} URL or an {@code http(s):} URL. */
  public static PluginRepository at(String location) {
    String lower = location.toLowerCase(java.util.Locale.ROOT);
    URI uri =
        lower.startsWith("http://") || lower.startsWith("https://") || lower.startsWith("file:")
            ? URI.create(location)
            : Path.of(location).toAbsolutePath().normalize().toUri();
    String text = uri.toString();
    return new PluginRepository(location, URI.create(text.endsWith("/") ? text : text + "/"));
  }

  /** As configured. */
  public String location() {
    return location;
  }

  /**
   * The plugins its index lists.
   *
   * @throws ReleaseRefused UNREACHABLE when the index cannot be read or is not a list of plugins
   */
  public List<Listed> plugins() throws ReleaseRefused {
    JsonNode index;
    try (InputStream in = open(base.resolve("plugins.json"))) {
      index = INDEX.readTree(in);
    } catch (IOException | RuntimeException e) {
      throw unreachable(e);
    }
    if (index == null || !index.isArray()) {
      throw unreachable(new IOException("plugins.json is not a JSON list of plugins"));
    }
    List<Listed> plugins = new ArrayList<>();
    for (JsonNode node : index) {
      PluginInfo info;
      try {
        info = INDEX.treeToValue(node, PluginInfo.class);
      } catch (IOException e) {
        throw unreachable(e);
      }
      if (info.id == null) {
        continue;
      }
      info.releases = offered(info);
      List<String> tags = new ArrayList<>();
      node.path("tags").forEach(tag -> tags.add(tag.asText()));
      plugins.add(new Listed(info, List.copyOf(tags), this));
    }
    return plugins;
  }

  /**
   * The plugin's releases with their URLs made absolute; a release of an http(s) repository
   * pointing at a local file is left out (a remote index never makes the host read its disk).
   */
  private List<PluginInfo.PluginRelease> offered(PluginInfo info) {
    List<PluginInfo.PluginRelease> offered = new ArrayList<>();
    for (PluginInfo.PluginRelease release :
        info.releases == null ? List.<PluginInfo.PluginRelease>of() : info.releases) {
      URI url = release.url == null ? null : base.resolve(release.url);
      if (url == null || (isRemote(base) && !isRemote(url))) {
        log.warn(
            "Plugin repository {}: release {} {} has no usable url; left out",
            location,
            info.id,
            release.version);
        continue;
      }
      release.url = url.toString();
      offered.add(release);
    }
    return offered;
  }

  private static boolean isRemote(URI uri) {
    String scheme = String.valueOf(uri.getScheme()).toLowerCase(java.util.Locale.ROOT);
    return scheme.equals("http") || scheme.equals("https");
  }

  private ReleaseRefused unreachable(Exception cause) {
    return new ReleaseRefused(
        ReleaseRefused.Reason.UNREACHABLE,
        "plugin repository " + location + " could not be read: " + cause.getMessage(),
        cause);
  }

  /** Opens a {@code file:} or {@code http(s):} URL; an HTTP answer other than 200 fails. */
  static InputStream open(URI uri) throws IOException {
    String scheme = String.valueOf(uri.getScheme()).toLowerCase(java.util.Locale.ROOT);
    if (scheme.equals("file")) {
      return Files.newInputStream(Path.of(uri));
    }
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IOException("unsupported URL " + uri + " (file, http or https only)");
    }
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(READ_TIMEOUT).GET().build();
    try {
      HttpResponse<InputStream> response =
          client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      if (response.statusCode() != 200) {
        response.body().close();
        throw new IOException(uri + " answered HTTP " + response.statusCode());
      }
      return response.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading " + uri, e);
    }
  }
}
