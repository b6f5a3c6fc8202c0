package io.streamspace.plugin.api.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The contract of a response: a body in bytes (since 0.1) or one streamed (since 0.2). */
class HttpResponseTest {

  @Test
  void aStreamedResponseCarriesItsStatusTypeAndHeadersAndWritesItsBodyWhenAsked() throws Exception {
    HttpResponse response =
        HttpResponse.streamed(
            200,
            "text/csv",
            Map.of("Content-Disposition", "attachment; filename=\"a.csv\""),
            out -> out.write("a,b\r\n1,2\r\n".getBytes(UTF_8)));

    assertTrue(response.isStreamed());
    assertEquals(200, response.status());
    assertEquals("text/csv", response.contentType());
    assertEquals(
        Map.of("Content-Disposition", "attachment; filename=\"a.csv\""), response.headers());
    assertEquals(0, response.body().length, "no body in bytes");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    response.bodyWriter().writeTo(out);
    assertEquals("a,b\r\n1,2\r\n", out.toString(UTF_8));
  }

  @Test
  void aResponseInBytesIsNotStreamedAndTheConstructorOf01StillBuildsIt() {
    HttpResponse response = new HttpResponse(201, "application/pdf", new byte[] {1, 2}, null);

    assertFalse(response.isStreamed());
    assertArrayEquals(new byte[] {1, 2}, response.body());
    assertEquals(Map.of(), response.headers());
    assertFalse(HttpResponse.json(200, "{}").isStreamed());
  }

  @Test
  void aStreamedResponseNeedsAWriterAndHasNoBodyInBytesBesideIt() {
    assertThrows(
        NullPointerException.class, () -> HttpResponse.streamed(200, "text/csv", Map.of(), null));
    assertThrows(
        IllegalArgumentException.class,
        () -> new HttpResponse(200, "text/csv", new byte[] {1}, Map.of(), out -> {}));
  }

  /** Host and plugin load libraries apart: only JDK types cross the contract. */
  @Test
  void theBodyWriterTakesAnOutputStreamOfTheJdkAndNothingElse() throws Exception {
    Method writeTo = BodyWriter.class.getMethod("writeTo", java.io.OutputStream.class);

    assertEquals(1, BodyWriter.class.getMethods().length);
    assertEquals(void.class, writeTo.getReturnType());
    assertArrayEquals(new Class<?>[] {Exception.class}, writeTo.getExceptionTypes());
  }
}
