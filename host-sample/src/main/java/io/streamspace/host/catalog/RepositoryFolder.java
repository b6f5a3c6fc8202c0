package io.streamspace.host.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * A plugin repository in a local folder, written as pf4j-update reads one: {@code plugins.json}
 * and the zips beside it. The build publishes the billing plugin with it (its {@link #main}), so
 * a fresh clone has a repository to install from; tests build theirs with it too.
 */
public final class RepositoryFolder {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path folder;

  public RepositoryFolder(Path folder) {
    this.folder = folder;
  }

  public Path folder() {
    return folder;
  }

  /**
   * Copies a plugin zip in as {@code <id>-<version>.zip} and lists it in {@code plugins.json}: a
   * release of the plugin (added to the list when new; a release of the same version replaced)
   * with the id, version, requires, description and provider of the zip's own
   * {@code plugin.properties}, its date and its SHA-512.
   *
   * @param name the plugin's display name in the catalog
   * @param tags words the catalog search also matches
   * @return the zip as published
   */
  public Path publish(Path zip, String name, List<String> tags, LocalDate date) throws IOException {
    return publish(zip, checksum(zip), name, tags, date);
  }

  /**
   * {@link #publish(Path, String, List, LocalDate)} of a zip whose {@link #checksum} its caller
   * has already: a build published into several folders is read and hashed once (tests publish
   * the same 30 MB build before each test).
   */
  public Path publish(Path zip, String sha512, String name, List<String> tags, LocalDate date)
      throws IOException {
    Properties descriptor = PluginZip.descriptor(zip);
    String id = descriptor.getProperty("plugin.id");
    String version = descriptor.getProperty("plugin.version");
    Files.createDirectories(folder);
    String fileName = id + "-" + version + ".zip";
    Path published = folder.resolve(fileName);
    Files.copy(zip, published, StandardCopyOption.REPLACE_EXISTING);

    ArrayNode plugins = readIndex();
    ObjectNode plugin = pluginEntry(plugins, id);
    plugin.put("name", name);
    plugin.put("description", descriptor.getProperty("plugin.description"));
    plugin.put("provider", descriptor.getProperty("plugin.provider"));
    ArrayNode tagList = plugin.putArray("tags");
    tags.forEach(tagList::add);
    ArrayNode releases = plugin.withArray("releases");
    for (int i = releases.size() - 1; i >= 0; i--) {
      if (version.equals(releases.get(i).path("version").asText())) {
        releases.remove(i);
      }
    }
    releases
        .addObject()
        .put("version", version)
        .put("date", date.toString())
        .put("requires", descriptor.getProperty("plugin.requires", "*"))
        .put("url", fileName)
        .put("sha512sum", sha512);
    JSON.writeValue(folder.resolve("plugins.json").toFile(), plugins);
    return published;
  }

  /** The SHA-512 the index gives a zip, lower-case hex, as {@code sha512sum} prints it. */
  public static String checksum(Path zip) throws IOException {
    return PluginZip.sha512(zip);
  }

  private ArrayNode readIndex() throws IOException {
    Path index = folder.resolve("plugins.json");
    if (Files.exists(index) && JSON.readTree(index.toFile()) instanceof ArrayNode existing) {
      return existing;
    }
    return JSON.createArrayNode();
  }

  private static ObjectNode pluginEntry(ArrayNode plugins, String id) {
    for (JsonNode plugin : plugins) {
      if (id.equals(plugin.path("id").asText())) {
        return (ObjectNode) plugin;
      }
    }
    return plugins.addObject().put("id", id);
  }

  /**
   * The build's publisher: {@code <repository folder> <plugin zip> <name> <tags, comma-separated>}
   * publishes the zip, dated today (UTC).
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 4) {
      throw new IllegalArgumentException(
          "usage: RepositoryFolder <repository folder> <plugin zip> <name> <tags>");
    }
    List<String> tags = Arrays.stream(args[3].split(",")).map(String::trim).toList();
    new RepositoryFolder(Path.of(args[0]))
        .publish(Path.of(args[1]), args[2], tags, LocalDate.now(ZoneOffset.UTC));
  }
}
