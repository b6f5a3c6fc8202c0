package io.streamspace.host.openapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.host.http.ApiRoute;
import io.streamspace.host.http.PluginRouteTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
    this.hostDocument = withRolesStated(read(mapper));
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

  /** Each operation's {@code x-roles} said in its description too, where a viewer shows it. */
  private static ObjectNode withRolesStated(ObjectNode document) {
    for (ApiRoute route : RouteCoverage.operations(document)) {
      ObjectNode operation =
          (ObjectNode)
              document.get("paths").get(route.path()).get(route.method().toLowerCase(Locale.ROOT));
      List<String> roles = new ArrayList<>();
      operation.path("x-roles").forEach(role -> roles.add(role.asText()));
      String stated =
          roles.isEmpty()
              ? "No token needed."
              : "Needs a bearer token with the role " + String.join(" or ", roles) + ".";
      String before = operation.path("description").asText("");
      operation.put("description", before.isEmpty() ? stated : before + "\n\n" + stated);
    }
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
