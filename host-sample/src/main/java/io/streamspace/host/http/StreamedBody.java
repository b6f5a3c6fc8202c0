package io.streamspace.host.http;

import io.javalin.http.Context;
import io.streamspace.plugin.api.http.BodyWriter;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import org.eclipse.jetty.server.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a plugin's streamed body ({@link io.streamspace.plugin.api.http.HttpResponse#streamed})
 * as it is written: straight to the servlet's stream, which Jetty sends chunked once its buffer
 * fills, so no more than that buffer is held. A writer that fails before anything was sent is
 * answered as any failure (500, or 503 for a database outage); once the status is sent the
 * connection is aborted instead, so the client sees a broken body, never a short one that looks
 * whole.
 */
final class StreamedBody {

  private static final Logger log = LoggerFactory.getLogger(StreamedBody.class);

  private StreamedBody() {}

  /** Writes the body; the status and headers must be set already. */
  static void send(Context ctx, BodyWriter writer) {
    HttpServletResponse response = ctx.res();
    try {
      OutputStream out = response.getOutputStream();
      writer.writeTo(out);
      out.flush();
    } catch (Exception e) {
      if (!response.isCommitted()) {
        response.resetBuffer();
        throw new StreamFailedException(e);
      }
      if (e instanceof IOException) {
        log.info("{} {}: the client went away during a streamed body", ctx.method(), ctx.path());
      } else {
        log.error("{} {}: a streamed body failed after it started", ctx.method(), ctx.path(), e);
      }
      Request.getBaseRequest(ctx.req()).getHttpChannel().abort(e);
    }
  }

  /** A streamed body that failed before any of it was sent: answered as its cause. */
  static final class StreamFailedException extends RuntimeException {
    StreamFailedException(Exception cause) {
      super("a streamed body failed before it started", cause);
    }
  }
}
