package io.streamspace.host.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Copies what a {@code file:} or {@code http(s):} URL holds into a stream, within a deadline for
 * the whole answer (not only its headers, as {@link HttpRequest#timeout} is) and a byte cap.
 */
final class BoundedFetch {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .connectTimeout(CONNECT_TIMEOUT)
          .followRedirects(HttpClient.Redirect.NORMAL)
          .build();

  private BoundedFetch() {}

  /**
   * Writes the URL's content to {@code out}.
   *
   * @throws IOException when it cannot be read, is larger than {@code maxBytes}, is not all there
   *     within {@code deadline}, or an HTTP answer is not 200; its message names the URL as shown
   *     (a local file by its name only)
   */
  static void copy(URI uri, OutputStream out, long maxBytes, Duration deadline) throws IOException {
    String scheme = String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT);
    if (scheme.equals("file")) {
      copyFile(uri, out, maxBytes);
      return;
    }
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IOException("unsupported URL " + shown(uri) + " (file, http or https only)");
    }
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(deadline).GET().build();
    CompletableFuture<HttpResponse<Void>> answer =
        CLIENT.sendAsync(
            request,
            info ->
                info.statusCode() == 200
                    ? new Capped(out, maxBytes, uri)
                    : BodySubscribers.replacing(null));
    try {
      HttpResponse<Void> response = answer.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
      if (response.statusCode() != 200) {
        throw new IOException(shown(uri) + " answered HTTP " + response.statusCode());
      }
    } catch (TimeoutException e) {
      answer.cancel(true);
      throw new IOException(
          shown(uri) + " did not send its whole answer within " + deadline.toSeconds() + " s");
    } catch (ExecutionException e) {
      Throwable cause =
          e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
      throw new IOException(shown(uri) + " could not be read: " + cause.getMessage(), cause);
    } catch (InterruptedException e) {
      answer.cancel(true);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading " + shown(uri), e);
    }
  }

  /**
   * Copies a local file. Its failures name the file only, never its folder: the message reaches
   * an admin's answer, and the host's paths are the host's business (the cause keeps them, for
   * the log).
   */
  private static void copyFile(URI uri, OutputStream out, long maxBytes) throws IOException {
    InputStream opened;
    try {
      opened = Files.newInputStream(Path.of(uri));
    } catch (FileSystemException e) {
      throw new IOException(shown(uri) + " could not be read: " + reasonOf(e), e);
    }
    try (InputStream in = opened) {
      byte[] buffer = new byte[64 * 1024];
      long copied = 0;
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        copied += read;
        requireWithin(copied, maxBytes, uri);
        out.write(buffer, 0, read);
      }
    }
  }

  /** Why a file could not be opened, without its path. */
  private static String reasonOf(FileSystemException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    return e.getReason() == null ? e.getClass().getSimpleName() : e.getReason();
  }

  private static void requireWithin(long bytes, long maxBytes, URI uri) throws IOException {
    if (bytes > maxBytes) {
      throw new IOException(shown(uri) + " is larger than the " + maxBytes + " bytes taken");
    }
  }

  /** An http(s) URL without credentials ({@link ShownUrl}); a local file by its name alone. */
  private static String shown(URI uri) {
    if ("file".equalsIgnoreCase(uri.getScheme())) {
      String path = uri.getPath() == null ? "" : uri.getPath();
      return path.substring(path.lastIndexOf('/') + 1);
    }
    return ShownUrl.of(uri.toString());
  }

  /** Writes the body as it comes, one buffer list at a time, failing past the cap. */
  private static final class Capped implements BodySubscriber<Void> {
    private final OutputStream out;
    private final long maxBytes;
    private final URI uri;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private Flow.Subscription subscription;
    private long received;

    Capped(OutputStream out, long maxBytes, URI uri) {
      this.out = out;
      this.maxBytes = maxBytes;
      this.uri = uri;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      try {
        for (ByteBuffer buffer : buffers) {
          received += buffer.remaining();
          requireWithin(received, maxBytes, uri);
          byte[] bytes = new byte[buffer.remaining()];
          buffer.get(bytes);
          out.write(bytes);
        }
        subscription.request(1);
      } catch (IOException e) {
        subscription.cancel();
        done.completeExceptionally(e);
      }
    }

    @Override
    public void onError(Throwable error) {
      done.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      done.complete(null);
    }

    @Override
    public CompletionStage<Void> getBody() {
      return done;
    }
  }
}
