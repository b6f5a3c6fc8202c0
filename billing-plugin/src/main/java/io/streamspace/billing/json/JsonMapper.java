package io.streamspace.billing.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.UncheckedIOException;

/**
 * The plugin's own JSON (its Jackson, not the host's), for answers and published events alike:
 * snake_case names, ISO-8601 instants, and decimals written plainly as numbers ({@code 20},
 * {@code 1.00}, never {@code 2E+1}).
 */
public final class JsonMapper {

  public static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
          // request decimals are read exactly as written (1.005 stays 1.005, never a double)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          // a body is one JSON value: {...} xyz or [...]] is refused, not read up to the garbage
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

  private JsonMapper() {}

  /** The value as JSON text. */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
