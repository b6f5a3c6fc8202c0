package io.streamspace.host.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.host.support.HostClient.Response;
import io.streamspace.host.support.HostTestBase;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Money and tokens must not sit in caches, nor be sniffed into another content type. */
class ResponseHeadersTest extends HostTestBase {

  @Test
  void hostAnswersAreNeitherCachedNorSniffed() {
    assertProtected(http.get("/api/health", null), 200);
    assertProtected(
        http.post("/api/admin/tokens", ADMIN_TOKEN, "{\"user_id\":\"tess\",\"roles\":[\"user\"]}"),
        201);
    assertProtected(http.get("/api/admin/plugins", ADMIN_TOKEN), 200);
  }

  @Test
  void errorsAreNeitherCachedNorSniffed() {
    assertProtected(http.get("/api/admin/plugins", null), 401);
    assertProtected(http.get("/api/admin/plugins", "not-a-token"), 401);
    assertProtected(http.post("/api/admin/tokens", ADMIN_TOKEN, "not json"), 400);
    assertProtected(http.get("/api/no-such-endpoint", null), 404);
  }

  @Test
  void pluginAnswersAndPluginFailuresAreNeitherCachedNorSniffed() {
    assertProtected(http.get("/api/plugins/rec/echo/x", null), 200);
    assertProtected(http.get("/api/plugins/rec/boom", null), 500);
    assertProtected(http.post("/api/plugins/rec/echo/x", null, ""), 405);
  }

  private static void assertProtected(Response response, int status) {
    assertEquals(status, response.status(), response.toString());
    assertEquals(
        Optional.of("nosniff"), response.header("X-Content-Type-Options"), response.toString());
    assertEquals(Optional.of("no-store"), response.header("Cache-Control"), response.toString());
  }
}
