package io.streamspace.host.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;

/** Reads request bodies as JSON, refusing anything else with 400 {@code invalid_json}. */
public final class JsonBodies {

  private final ObjectMapper mapper;

  public JsonBodies(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** The body, which must be one JSON object with nothing after it. */
  public JsonNode object(Context ctx) {
    JsonNode node;
    try {
      node =
          mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(ctx.body());
    } catch (JsonProcessingException e) {
      node = null;
    }
    if (node == null || !node.isObject()) {
      throw ApiException.badRequest("invalid_json", "body must be one JSON object", null);
    }
    return node;
  }

  /** JSON text as a tree, for echoing plugin JSON in a host answer; invalid JSON becomes text. */
  public JsonNode tree(String json) {
    JsonNode node = Json.parseOrNull(mapper, json);
    return node == null ? mapper.getNodeFactory().textNode(json) : node;
  }
}
