package io.streamspace.billing.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.billing.json.JsonMapper;
import io.streamspace.plugin.api.http.DatabaseOutage;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON answers and request bodies, in the plugin's own JSON ({@link JsonMapper}).
 */
public final class Json {

  private static final ObjectMapper MAPPER = JsonMapper.MAPPER;

  private Json() {}

  /** A 200 answer with the value as JSON. */
  public static HttpResponse ok(Object body) {
    return HttpResponse.json(200, write(body));
  }

  /** A 201 answer with the created value as JSON. */
  public static HttpResponse created(Object body) {
    return HttpResponse.json(201, write(body));
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
      throw new ApiException(400, "invalid_json", "the body must be one JSON object", null);
    }
    StorableText.checkJson(body, "");
    return body;
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

  /** The error answer for a refused request; a 503 also says when to retry. */
  public static HttpResponse error(ApiException e) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", e.code());
    error.put("message", e.getMessage());
    if (e.field() != null) { // left out when no field is at fault, as the host does
      error.put("field", e.field());
    }
    error.putAll(e.details());
    Map<String, String> headers =
        e.status() == 503
            ? Map.of("Retry-After", Integer.toString(DatabaseOutage.RETRY_AFTER_SECONDS))
            : Map.of();
    return HttpResponse.of(
        e.status(),
        HttpResponse.JSON,
        write(Map.of("error", error)).getBytes(StandardCharsets.UTF_8),
        headers);
  }
}
