package io.streamspace.host.http;

import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpStatus;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's own error answers, for a request it refuses before any route sees it (a control
 * character in the request line or a path that decodes to one: 400; a request line longer than
 * the headers' room: 414; headers larger than it: 431), written as every other error of the API:
 * {@code {"error":{"code","message"}}} in JSON with the headers {@link HttpServer} puts on every
 * answer, instead of Jetty's HTML page. The message is ours, never the request's text.
 */
final class JsonErrorPages extends ErrorHandler {

  private static final int URI_TOO_LONG = 414;
  private static final int HEADERS_TOO_LARGE = 431;

  private final int maxHeaderBytes;

  /** @param maxHeaderBytes the room for the request line and for the headers, as configured */
  JsonErrorPages(int maxHeaderBytes) {
    this.maxHeaderBytes = maxHeaderBytes;
  }

  /** An answer to a request Jetty's parser refused: the status Jetty chose, our body. */
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, HttpResponse.JSON);
    fields.put(new HttpField(HttpHeader.CACHE_CONTROL, "no-store"));
    fields.put(new HttpField("X-Content-Type-Options", "nosniff"));
    return ByteBuffer.wrap(body(status));
  }

  /** An error Jetty answers itself after parsing (none of the API's routes answered). */
  @Override
  protected void generateAcceptableResponse(
      Request baseRequest,
      HttpServletRequest request,
      HttpServletResponse response,
      int code,
      String message)
      throws IOException {
    baseRequest.setHandled(true);
    response.setContentType(HttpResponse.JSON);
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.getOutputStream().write(body(code));
  }

  private byte[] body(int status) {
    return HttpResponse.error(status, code(status), message(status), null).body();
  }

  /** The error code of a status the host answers itself. */
  static String code(int status) {
    return switch (status) {
      case HttpStatus.BAD_REQUEST -> "bad_request";
      case HttpStatus.NOT_FOUND -> "not_found";
      case HttpStatus.METHOD_NOT_ALLOWED -> "method_not_allowed";
      case HttpStatus.CONTENT_TOO_LARGE -> "too_large";
      case URI_TOO_LONG -> "uri_too_long";
      case HEADERS_TOO_LARGE -> "headers_too_large";
      default -> "http_" + status;
    };
  }

  private String message(int status) {
    return switch (status) {
      case HttpStatus.BAD_REQUEST ->
          "the request is not valid HTTP: a control character in its path or headers, or a path"
              + " that decodes to one";
      case URI_TOO_LONG ->
          "the request's path and query are longer than the " + maxHeaderBytes + " bytes taken";
      case HEADERS_TOO_LARGE ->
          "the request's headers are larger than the " + maxHeaderBytes + " bytes taken";
      default -> "the request was refused (HTTP " + status + ")";
    };
  }
}
