package io.streamspace.billing.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.billing.json.JsonMapper;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpStatus;
import java.io.IOException;

/**
 * JSON answers and request bodies, in the plugin's own JSON ({@link JsonMapper}).
 */
public final class Json {

  private static final ObjectMapper MAPPER = JsonMapper.MAPPER;

  private Json() {}

  /** A 200 answer with the value as JSON. */
  public static HttpResponse ok(Object body) {
    return HttpResponse.json(HttpStatus.OK, write(body));
  }

  /** A 201 answer with the created value as JSON. */
  public static HttpResponse created(Object body) {
    return HttpResponse.json(HttpStatus.CREATED, write(body));
  }

  /**
   * The request body as a JSON object; 400 {@code invalid_json} when it is not one (or has
   * anything after it), 400 naming the member when a string holds text the database cannot
   * store ({@link StorableText}).
   */
  public static JsonNode readObject(HttpRequest request) throws ApiException {
    JsonNode body = null;
    try {
      body = MAPPER.readTree(request.body());
    } catch (IOException e) {
      // answered below: the client needs to know the body is not JSON, not the parser's detail
    }
    if (body == null || !body.isObject()) {
      throw new ApiException(
          HttpStatus.BAD_REQUEST, "invalid_json", "the body must be one JSON object", null);
    }
    StorableText.checkJson(body, "");
    return body;
  }

  /**
   * Refuses the body of a route that takes none unless it is empty or one JSON object (its
   * members are ignored), as {@link #readObject}: so {@code xyz} is refused as on every route.
   */
  public static void requireNoneOrObject(HttpRequest request) throws ApiException {
    if (request.body() != null && request.body().length > 0) {
      readObject(request);
    }
  }

  /**
   * A member that must be a non-blank JSON string, without its surrounding whitespace.
   *
   * @throws ApiException 400 naming the member when it is missing, not a string, or blank
   */
  public static String requiredText(JsonNode body, String member) throws ApiException {
    JsonNode value = body.get(member);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw ApiException.badParameter(member, member + " is required (a non-empty string)");
    }
    return value.asText().strip();
  }

  /** The value as JSON text. */
  public static String write(Object body) {
    return JsonMapper.write(body);
  }
}
