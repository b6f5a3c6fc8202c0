package io.streamspace.billing.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.common.http.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;

/**
 * The plugin's own JSON (its Jackson, not the host's), for answers and published events alike:
 * snake_case names, ISO-8601 instants, and decimals written plainly as numbers ({@code 20},
 * {@code 1.00}, never {@code 2E+1}), decimals in trees kept exactly as written: the exact
 * configuration of the shared {@link Json}.
 */
public final class JsonMapper {

  public static final ObjectMapper MAPPER = Json.MAPPER;

  private JsonMapper() {}

  /**
   * A generator streaming an answer onto {@code out}: decimals written plainly, and {@code out}
   * left open when it closes (the host closes the stream).
   */
  public static JsonGenerator streaming(OutputStream out) throws IOException {
    return MAPPER
        .getFactory()
        .createGenerator(out)
        .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
        .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
  }

  /** The value as JSON text. */
  public static String write(Object value) {
    return Json.write(value);
  }

  /** JSON text {@link #write} wrote of a {@code type}, read back as one. */
  public static <T> T read(String json, Class<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A JSON object of decimals ({@code {"gpu": 1, "bandwidth_gb": 50}}, as a pack's {@code adds}
   * or a plan term's {@code held_limits} are stored), by key in key order.
   */
  public static Map<String, BigDecimal> decimals(String json) {
    try {
      return new TreeMap<>(MAPPER.readValue(json, new TypeReference<Map<String, BigDecimal>>() {}));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
