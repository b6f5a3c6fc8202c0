package io.streamspace.plugin.api.http;

import java.io.OutputStream;

/**
 * Writes a streamed response body ({@link HttpResponse#streamed}) as it is produced, so a large
 * answer (a report of a year) never sits in memory whole. The host calls it once, after sending
 * the status and headers, on the request's thread, and sends what it writes as it comes (HTTP/1.1
 * chunked). The writer must release what it holds (a database connection, a cursor) before it
 * returns or throws: an {@link java.io.IOException} from the stream means the client went away.
 * A writer that throws leaves the body cut short: the host aborts the response, so the client
 * never takes a partial body for a whole one. Stable since 0.2.
 *
 * <p>What the writer has written is sent as soon as it flushes {@code out}, whatever the host
 * buffers otherwise, so a writer may push a body as things happen: server-sent events ({@code
 * text/event-stream}), one event flushed at a time, for as long as the client stays. Such a writer
 * holds a request thread of the host while it runs: it should bound how many it keeps open and
 * for how long. Since 0.4.
 */
@FunctionalInterface
public interface BodyWriter {

  /**
   * Writes the body to {@code out}; the host flushes and closes it afterwards.
   *
   * @throws Exception when the body cannot be written whole (the response is then aborted)
   */
  void writeTo(OutputStream out) throws Exception;
}
