package io.streamspace.host.openapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.host.http.PluginRouteTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Predicate;

/**
 * The description of the whole API: the host's own document (the resource {@code
 * openapi/host.json}, written by hand and held to the routes by a test) with the description of
 * each started plugin merged in ({@link PluginDescriptions}). Made afresh for each request, so
 * a plugin's paths come and go with its routes.
 */
public final class ApiDescription {

  static final String HOST_DOCUMENT = "openapi/host.json";

  private final ObjectNode hostDocument;
  private final PluginRouteTable routes;
  private final Predicate<String> isStarted;

  public ApiDescription(ObjectMapper mapper, PluginRouteTable routes, Predicate<String> isStarted) {
    this.hostDocument = read(mapper);
    this.routes = routes;
    this.isStarted = isStarted;
  }

  /** The document as served now. */
  public ObjectNode document() {
    ObjectNode document = hostDocument.deepCopy();
    routes
        .descriptions()
        .forEach(
            (pluginId, description) -> {
              if (isStarted.test(pluginId)) {
                PluginDescriptions.mergeInto(document, pluginId, description);
              }
            });
    return document;
  }

  private static ObjectNode read(ObjectMapper mapper) {
    try (InputStream in =
        ApiDescription.class.getClassLoader().getResourceAsStream(HOST_DOCUMENT)) {
      if (in == null) {
        throw new IllegalStateException("the host lacks its resource " + HOST_DOCUMENT);
      }
      return (ObjectNode) mapper.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
