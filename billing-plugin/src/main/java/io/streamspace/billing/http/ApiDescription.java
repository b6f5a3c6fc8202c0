package io.streamspace.billing.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The OpenAPI 3.1 description of every route the plugin registers ({@code openapi.json} next to
 * this class), which the plugin hands the host through {@code HttpRoutes.describe}. Written by
 * hand rather than generated: the routes read their parameters and bodies in code no generator
 * sees; {@code ApiDescriptionTest} checks it against the registered routes both ways.
 */
public final class ApiDescription {

  private ApiDescription() {}

  /** The document as JSON text, read from the plugin's classpath. */
  public static String json() {
    try (InputStream in = ApiDescription.class.getResourceAsStream("openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("the plugin lacks its resource openapi.json");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
