package io.streamspace.host.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.host.support.HostClient.Response;
import io.streamspace.host.support.HostTestBase;
import org.junit.jupiter.api.Test;

/** Answers are copied to the connection through a buffer of a few KB (see {@link HttpServer}). */
class LargeAnswersTest extends HostTestBase {

  @Test
  void anAnswerLargerThanTheCopyBufferArrivesWhole() {
    String q = "a".repeat(6_000); // within Jetty's 8 KB of request line and headers

    Response echoed = http.get("/api/plugins/rec/echo/x?q=" + q, null);

    assertEquals(q, echoed.expect(200).get("q").asText());
  }
}
