package io.streamspace.host.idempotency;

import io.streamspace.common.http.ApiException;
import io.streamspace.host.idempotency.IdempotencyKeys.Claim;
import io.streamspace.host.idempotency.IdempotencyKeys.InProgress;
import io.streamspace.host.idempotency.IdempotencyKeys.Replay;
import io.streamspace.host.idempotency.IdempotencyKeys.Reused;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpStatus;
import io.streamspace.plugin.api.http.RouteHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code Idempotency-Key} for every plugin {@code POST}, in one place: a caller's retry of a
 * request (same key, same route, query and body) gets the first request's answer, with
 * {@code Idempotent-Replayed: true}, and no second effect.
 *
 * <ul>
 *   <li>Keys are the caller's own (per authenticated user id): visible ASCII, 1 to 255
 *       characters, else 400. Anonymous requests (a webhook, say) are served as they come.
 *   <li>The same key with another request: 422 {@code idempotency_key_reused}.
 *   <li>The same key while its first request runs: 409 {@code idempotency_key_in_progress}, not a
 *       second run.
 *   <li>Kept and replayed: every 2xx and 4xx answer (the request ran and decided), except 409 and
 *       429, which say "not now". Not kept: those and 5xx (or a plugin failure), and a streamed
 *       answer (its body is written after, never held); the key is released and the same
 *       request may be retried with it.
 * </ul>
 *
 * <p>A host that stops between the plugin's work and keeping its answer leaves the key in
 * progress (409) until it expires: whether the work took effect is then unknown, and running it
 * a second time is what a key exists to prevent.
 */
public final class IdempotentPosts {

  public static final String KEY_HEADER = "Idempotency-Key";
  public static final String REPLAYED_HEADER = "Idempotent-Replayed";
  private static final String VALID_KEY = "[\\x21-\\x7E]{1,255}";

  private final IdempotencyKeys keys;

  public IdempotentPosts(IdempotencyKeys keys) {
    this.keys = keys;
  }

  /** Serves a plugin request through {@code handler}, at most once per key when it has one. */
  public HttpResponse serve(String pluginId, HttpRequest request, RouteHandler handler)
      throws Exception {
    Optional<String> key = request.header(KEY_HEADER);
    if (request.method() != HttpMethod.POST
        || key.isEmpty()
        || !request.caller().isAuthenticated()) {
      return handler.handle(request);
    }
    if (!key.get().matches(VALID_KEY)) {
      throw keyRefused(
          HttpStatus.BAD_REQUEST,
          "invalid_idempotency_key",
          KEY_HEADER + " must be 1 to 255 visible ASCII characters");
    }
    String userId = request.caller().userId();
    Claim claim = keys.claim(userId, key.get(), fingerprint(pluginId, request));
    if (claim instanceof Replay replay) {
      return replayed(replay.answer());
    }
    if (claim instanceof InProgress) {
      throw keyRefused(
          HttpStatus.CONFLICT,
          "idempotency_key_in_progress",
          "a request with this " + KEY_HEADER + " has not finished; retry later");
    }
    if (claim instanceof Reused) {
      throw keyRefused(
          HttpStatus.UNPROCESSABLE_CONTENT,
          "idempotency_key_reused",
          "this " + KEY_HEADER + " was used for another request");
    }
    return firstRun(userId, key.get(), request, handler);
  }

  private HttpResponse firstRun(
      String userId, String key, HttpRequest request, RouteHandler handler) throws Exception {
    HttpResponse answer;
    try {
      answer = handler.handle(request);
    } catch (Exception | Error e) {
      keys.release(userId, key);
      throw e;
    }
    if (kept(answer.status()) && !answer.isStreamed()) {
      keys.complete(userId, key, answer);
    } else {
      keys.release(userId, key);
    }
    return answer;
  }

  /** A refusal naming the {@value #KEY_HEADER} header as the field at fault. */
  private static ApiException keyRefused(int status, String code, String message) {
    return new ApiException(status, code, message, KEY_HEADER, null);
  }

  /** Whether an answer is final for its request (see the class comment). */
  static boolean kept(int status) {
    return status < HttpStatus.INTERNAL_SERVER_ERROR
        && status != HttpStatus.CONFLICT
        && status != HttpStatus.TOO_MANY_REQUESTS;
  }

  private static HttpResponse replayed(HttpResponse answer) {
    Map<String, String> headers = new HashMap<>(answer.headers());
    headers.put(REPLAYED_HEADER, "true");
    return HttpResponse.of(answer.status(), answer.contentType(), answer.body(), headers);
  }

  /** SHA-256 of what makes a request the same: plugin, route path, query and body. */
  static String fingerprint(String pluginId, HttpRequest request) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      String target =
          pluginId
              + "\n"
              + request.method()
              + "\n"
              + request.path()
              + "\n"
              + new TreeMap<>(request.query())
              + "\n";
      digest.update(target.getBytes(StandardCharsets.UTF_8));
      digest.update(request.body());
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
