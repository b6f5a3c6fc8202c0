package io.streamspace.host.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.javalin.http.Context;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import java.util.Optional;

/**
 * Reads request bodies as JSON, refusing anything else with 400 {@code invalid_json}.
 *
 * <p>The body is read whole through {@code ctx.body()}, which lets Jetty see the request to its
 * end: parsing from the request stream instead (a third less garbage) lost a kept-alive connection
 * now and then under load, so it was taken back.
 */
public final class JsonBodies {

  private final ObjectMapper mapper;
  private final ObjectReader reader;

  public JsonBodies(ObjectMapper mapper) {
    this.mapper = mapper;
    this.reader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /** The body, which must be one JSON object with nothing after it. */
  public JsonNode object(Context ctx) {
    return optionalObject(ctx).orElseThrow(JsonBodies::notAnObject);
  }

  /**
   * The body if there is one (empty or only whitespace: none), which must then be one JSON object
   * with nothing after it.
   */
  public Optional<JsonNode> optionalObject(Context ctx) {
    JsonNode node;
    try {
      node = reader.readTree(ctx.body()); // a Content-Length over the server's limit is 413
    } catch (JsonProcessingException e) {
      throw notAnObject();
    }
    if (node == null || node.isMissingNode()) {
      return Optional.empty();
    }
    if (!node.isObject()) {
      throw notAnObject();
    }
    return Optional.of(node);
  }

  private static ApiException notAnObject() {
    return ApiException.badRequest("invalid_json", "body must be one JSON object", null);
  }

  /** JSON text as a tree, for echoing plugin JSON in a host answer; invalid JSON becomes text. */
  public JsonNode tree(String json) {
    JsonNode node = Json.parseOrNull(mapper, json);
    return node == null ? mapper.getNodeFactory().textNode(json) : node;
  }
}
