package io.streamspace.host.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.support.HostClient.Response;
import io.streamspace.host.support.HostTestBase;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A plugin's streamed body reaches the client as it is written (chunked), not once it is whole;
 * a client going away ends the writer; a writer failing is never taken for a whole body. Read
 * over a raw socket so the chunks themselves are seen. The plugin's writer waits on a gate the
 * test opens: no sleeps.
 */
class StreamedBodyTest extends HostTestBase {

  @BeforeEach
  void closeTheGate() {
    plugin.streamStarted = new CountDownLatch(1);
    plugin.streamGate = new CountDownLatch(1);
    plugin.streamEnded = new CountDownLatch(1);
  }

  @Test
  void theFirstLineArrivesChunkedWhileTheWriterHasNotWrittenTheRest() throws Exception {
    try (Socket socket = get("/api/plugins/rec/stream?lines=2")) {
      BufferedReader in = reader(socket);
      assertEquals("HTTP/1.1 200 OK", in.readLine());
      Map<String, String> headers = headers(in);

      assertEquals("chunked", headers.get("transfer-encoding"));
      assertFalse(headers.containsKey("content-length"));
      assertEquals("attachment; filename=\"stream.csv\"", headers.get("content-disposition"));
      assertEquals("no-store", headers.get("cache-control"));
      assertEquals("nosniff", headers.get("x-content-type-options"));
      assertEquals("first\n", chunk(in));
      assertEquals(1, plugin.streamEnded.getCount(), "the writer is still waiting to go on");

      plugin.streamGate.countDown();
      StringBuilder rest = new StringBuilder();
      for (String chunk = chunk(in); !chunk.isEmpty(); chunk = chunk(in)) {
        rest.append(chunk);
      }
      assertEquals("line 1\nline 2\n", rest.toString());
    }
  }

  @Test
  void aClientThatGoesAwayEndsTheWriterWithAnIoFailure() throws Exception {
    try (Socket socket = get("/api/plugins/rec/stream?lines=2000000")) {
      BufferedReader in = reader(socket);
      in.readLine();
      headers(in);
      assertEquals("first\n", chunk(in));
    }

    plugin.streamGate.countDown();

    assertTrue(plugin.streamEnded.await(60, TimeUnit.SECONDS), "the writer returned");
    assertInstanceOf(IOException.class, plugin.streamFailure);
  }

  @Test
  void aWriterFailingAfterItStartedAbortsTheBodyRatherThanEndingItShort() {
    plugin.streamGate.countDown();
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://localhost:" + host.port() + "/api/plugins/rec/stream?fail=after"))
            .build();

    assertThrows(
        IOException.class,
        () -> HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()));
  }

  @Test
  void aWriterFailingBeforeItWroteAnythingIsAnsweredAsAnyFailure() {
    Response response = http.get("/api/plugins/rec/stream?fail=before", null);

    assertEquals(500, response.status(), response.toString());
    assertEquals("internal_error", response.body().at("/error/code").asText());
    assertEquals("no-store", response.header("Cache-Control").orElseThrow());
  }

  private Socket get(String path) throws IOException {
    Socket socket = new Socket("localhost", host.port());
    socket
        .getOutputStream()
        .write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(ISO_8859_1));
    return socket;
  }

  private static BufferedReader reader(Socket socket) throws IOException {
    return new BufferedReader(new InputStreamReader(socket.getInputStream(), ISO_8859_1));
  }

  private static Map<String, String> headers(BufferedReader in) throws IOException {
    Map<String, String> headers = new HashMap<>();
    for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
      int colon = line.indexOf(':');
      headers.put(
          line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
    }
    return headers;
  }

  /**
   * The next chunk's data; empty for the last chunk. Jetty sends the CRLF that ends a chunk's
   * data with the next chunk, so it is skipped before the size, not awaited after the data.
   */
  private static String chunk(BufferedReader in) throws IOException {
    String sizeLine = in.readLine();
    if (sizeLine.isEmpty()) {
      sizeLine = in.readLine();
    }
    int size = Integer.parseInt(sizeLine.trim(), 16);
    char[] data = new char[size];
    for (int read = 0; read < size; ) {
      read += in.read(data, read, size - read);
    }
    return new String(data);
  }
}
