package io.streamspace.host.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.pf4j.update.PluginInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One plugin repository in pf4j-update's format: a folder or an http(s) URL holding
 * {@code plugins.json}, a list of plugins (id, name, description, provider, projectUrl, releases:
 * version, date, requires, url relative to the repository or absolute, sha512sum), each with an
 * optional {@code tags} array of our own. The index is read anew on every call: it is small, and
 * a release published meanwhile shows at once. A plugin id or release version outside {@link
 * #NAME} makes the index unreadable: they name files on this host's disk.
 */
public final class PluginRepository {

  /** A plugin as a repository lists it, its release URLs made absolute. */
  public record Listed(PluginInfo info, List<String> tags, PluginRepository repository) {}

  private static final Logger log = LoggerFactory.getLogger(PluginRepository.class);

  /** What an index's plugin ids and versions may be: no path separator, no {@code ..}. */
  private static final Pattern NAME = Pattern.compile("(?!.*\\.\\.)[A-Za-z0-9._+-]+");

  private static final ObjectMapper INDEX =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final String location;
  private final String shownName;
  private final URI base;
  private final FetchLimits limits;

  private PluginRepository(String location, String shownName, URI base, FetchLimits limits) {
    this.location = location;
    this.shownName = shownName;
    this.base = base;
    this.limits = limits;
  }

  /**
   * A repository at a folder path, a {@code file:} URL or an {@code http(s):} URL.
   *
   * @param position its place in the configured list, from 1: how a local one is named
   */
  static PluginRepository at(String location, int position, FetchLimits limits) {
    String lower = location.toLowerCase(java.util.Locale.ROOT);
    URI uri =
        lower.startsWith("http://") || lower.startsWith("https://") || lower.startsWith("file:")
            ? URI.create(location)
            : Path.of(location).toAbsolutePath().normalize().toUri();
    String text = uri.toString();
    String shownName =
        isRemote(uri) ? ShownUrl.of(location) : "repository " + position + " (a local folder)";
    return new PluginRepository(
        location, shownName, URI.create(text.endsWith("/") ? text : text + "/"), limits);
  }

  /**
   * How answers name it: an http(s) URL without credentials ({@link ShownUrl}); a folder by its
   * place in the configured list ({@code repository 1 (a local folder)}), never its path: where
   * the host keeps its files is no business of an answer's. The log names it as configured.
   */
  public String shownName() {
    return shownName;
  }

  /** As configured, without credentials: for the host's log only. */
  String loggedName() {
    return ShownUrl.of(location);
  }

  /**
   * A release's URL as answers show it: of a local file, its repository's name and the file's
   * name; else without credentials ({@link ShownUrl}).
   */
  String shown(String url) {
    URI uri = resolved(url);
    if (uri == null || isRemote(uri)) {
      return ShownUrl.of(url);
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    return shownName + ", file " + path.substring(path.lastIndexOf('/') + 1);
  }

  /**
   * The plugins its index lists.
   *
   * @throws ReleaseRefused UNREACHABLE when the index cannot be read or is not a list of plugins
   */
  public List<Listed> plugins() throws ReleaseRefused {
    JsonNode index;
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      BoundedFetch.copy(
          base.resolve("plugins.json"), bytes, limits.indexMaxBytes(), limits.indexDeadline());
      index = INDEX.readTree(bytes.toByteArray());
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
      requireName("plugin id", info.id);
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
  private List<PluginInfo.PluginRelease> offered(PluginInfo info) throws ReleaseRefused {
    List<PluginInfo.PluginRelease> offered = new ArrayList<>();
    for (PluginInfo.PluginRelease release :
        info.releases == null ? List.<PluginInfo.PluginRelease>of() : info.releases) {
      requireName("version of plugin " + info.id, release.version);
      URI url = resolved(release.url);
      if (url == null || (isRemote(base) && !isRemote(url))) {
        log.warn(
            "Plugin repository {}: release {} {} has no usable url; left out",
            loggedName(),
            info.id,
            release.version);
        continue;
      }
      release.url = url.toString();
      offered.add(release);
    }
    return offered;
  }

  /** The release's URL made absolute; null when it has none or it is not a URL. */
  private URI resolved(String url) {
    try {
      return url == null ? null : base.resolve(url);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean isRemote(URI uri) {
    String scheme = String.valueOf(uri.getScheme()).toLowerCase(java.util.Locale.ROOT);
    return scheme.equals("http") || scheme.equals("https");
  }

  private void requireName(String what, String name) throws ReleaseRefused {
    if (name != null && !NAME.matcher(name).matches()) {
      throw unreachable(
          new IOException(
              "plugins.json has a bad entry: "
                  + what
                  + " '"
                  + name
                  + "' (letters, digits and . _ + - only, no ..)"));
    }
  }

  /**
   * The index could not be read: the answer says why in words free of this host's paths (a local
   * file's failure names the file only, {@link BoundedFetch}; a parser's message is given without
   * the source it quotes); the cause keeps the rest, for the log.
   */
  private ReleaseRefused unreachable(Exception cause) {
    String why =
        cause instanceof JsonProcessingException json
            ? "plugins.json is not a pf4j-update index: " + json.getOriginalMessage()
            : cause instanceof IOException ? cause.getMessage() : cause.getClass().getSimpleName();
    return new ReleaseRefused(
        ReleaseRefused.Reason.UNREACHABLE,
        (isRemote(base) ? "plugin repository " : "plugin ")
            + shownName
            + " could not be read: "
            + why,
        cause);
  }
}
