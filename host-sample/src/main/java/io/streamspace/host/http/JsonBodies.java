package io.streamspace.host.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.javalin.http.Context;
import io.javalin.http.servlet.MaxRequestSize;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Reads request bodies as JSON, refusing anything else with 400 {@code invalid_json}.
 *
 * <p>A body is parsed straight from the request stream with Jackson's reused buffers, once: not
 * first copied whole into a String ({@code ctx.body()} costs about 24 KB of buffers a request,
 * which on a busy node is most of what the garbage collector has to do).
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
    // what ctx.body() checks: a Content-Length over the server's limit is 413
    MaxRequestSize.INSTANCE.throwContentTooLargeIfContentTooLarge(ctx);
    JsonNode node;
    try (InputStream body = ctx.bodyInputStream()) {
      node = reader.readTree(body);
    } catch (IOException e) { // not JSON, or the client went away while sending it
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
