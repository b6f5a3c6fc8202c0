package io.streamspace.common.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one JSON configuration of the host and the billing plugin (each with its own Jackson):
 * snake_case names, ISO-8601 instants, decimals read as BigDecimal (never a double) and written
 * plainly as numbers ({@code 20}, {@code 1.00}, never {@code 2E+1}); and the JSON answers and
 * request bodies of routes.
 */
public final class Json {

  /**
   * {@link #newExactMapper()}'s: the mapper of the answers and bodies below, and the billing
   * plugin's for everything it writes (answers, published events).
   */
  public static final ObjectMapper MAPPER = newExactMapper();

  private Json() {}

  /**
   * A mapper for HTTP bodies. Numbers with a fraction become BigDecimal, never double. A body is
   * one JSON value: anything after it ({@code {...} xyz}, {@code [...]]}) is refused, not
   * ignored. Its trees drop the trailing zeros of decimals ({@code 4.50} is {@code 4.5}), what
   * the host's intake, journal and config were built on.
   */
  public static ObjectMapper newMapper() {
    return new ObjectMapper()
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .registerModule(new JavaTimeModule())
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .setSerializationInclusion(JsonInclude.Include.ALWAYS)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
  }

  /**
   * {@link #newMapper()}, whose trees keep decimals exactly as written ({@code 1.005} stays
   * {@code 1.005}, {@code 1.50} stays {@code 1.50}): the billing plugin's, for money.
   */
  public static ObjectMapper newExactMapper() {
    return newMapper().setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
  }

  /** Parses JSON text, or null when it is not JSON. */
  public static JsonNode parseOrNull(ObjectMapper mapper, String text) {
    try {
      return mapper.readTree(text);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /**
   * Plain, unmodifiable Java values for a JSON tree: maps, lists, strings, BigDecimal numbers,
   * booleans and null (what {@code PluginConfig.asMap()} promises plugins).
   */
  public static Object toPlainValue(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.fields().forEachRemaining(e -> map.put(e.getKey(), toPlainValue(e.getValue())));
      return Collections.unmodifiableMap(map);
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(element -> list.add(toPlainValue(element)));
      return Collections.unmodifiableList(list);
    }
    if (node.isNumber()) {
      return node.decimalValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    return node.asText();
  }

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
  public static JsonNode readObject(HttpRequest request) {
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
  public static void requireNoneOrObject(HttpRequest request) {
    if (request.body() != null && request.body().length > 0) {
      readObject(request);
    }
  }

  /**
   * A member that must be a non-blank JSON string, without its surrounding whitespace.
   *
   * @throws ApiException 400 naming the member when it is missing, not a string, or blank
   */
  public static String requiredText(JsonNode body, String member) {
    JsonNode value = body.get(member);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw ApiException.badParameter(member, member + " is required (a non-empty string)");
    }
    return value.asText().strip();
  }

  /** The value as JSON text ({@link #MAPPER}). */
  public static String write(Object body) {
    try {
      return MAPPER.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
