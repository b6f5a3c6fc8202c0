package io.streamspace.billing.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The plugin's own JSON (its Jackson, not the host's): snake_case names, ISO-8601 instants, and
 * decimals written plainly as numbers ({@code 20}, {@code 1.00}, never {@code 2E+1}).
 */
public final class Json {

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

  private Json() {}

  /** A 200 answer with the value as JSON. */
  public static HttpResponse ok(Object body) {
    return HttpResponse.json(200, write(body));
  }

  /** The error answer for a refused request. */
  public static HttpResponse error(ApiException e) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", e.code());
    error.put("message", e.getMessage());
    error.put("field", e.field());
    return HttpResponse.json(e.status(), write(Map.of("error", error)));
  }

  /**
   * The request body as a JSON object; 400 ({@code invalid_body}) when it is not one.
   */
  public static JsonNode body(HttpRequest request) throws ApiException {
    try {
      JsonNode body = MAPPER.readTree(request.bodyText());
      if (body != null && body.isObject()) {
        return body;
      }
    } catch (JsonProcessingException e) {
      // answered below, without echoing the parser's message
    }
    throw new ApiException(400, "invalid_body", "the body must be a JSON object", null);
  }

  /** The value as JSON text, as routes answer it (for example an event's payload). */
  public static String write(Object body) {
    try {
      return MAPPER.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
