package io.streamspace.host.webhooks;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;

/**
 * POSTs one delivery: the JSON body, signed ({@link WebhookSignature}), with the event's id and
 * type in headers. Redirects are not followed: only a 2xx answer delivers. A destination the
 * {@link WebhookDestinations} refuse is not connected to: the attempt fails naming why.
 */
final class WebhookSender {

  /** What the endpoint answered: its status, or why there was none. */
  record Outcome(Integer responseCode, String error) {
    boolean delivered() {
      return error == null;
    }
  }

  static final String EVENT_ID_HEADER = "X-StreamSpace-Event-Id";
  static final String EVENT_TYPE_HEADER = "X-StreamSpace-Event-Type";
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_ERROR_LENGTH = 500;

  private final WebhookDestinations destinations;
  private final HttpClient client =
      HttpClient.newBuilder()
          .connectTimeout(TIMEOUT)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  WebhookSender(WebhookDestinations destinations) {
    this.destinations = destinations;
  }

  /**
   * Sends one delivery; never throws. The answer's body is not read: the outcome is its status,
   * known once its headers arrive (within {@link #TIMEOUT}), so an endpoint that answers and then
   * trickles or never ends its body cannot hold the worker.
   */
  Outcome send(
      String url, String secret, String eventId, String eventType, String body, long unixSeconds) {
    try {
      URI destination = URI.create(url);
      Optional<String> refused = destinations.refusal(destination);
      if (refused.isPresent()) {
        return new Outcome(null, refused.get());
      }
      HttpRequest request =
          HttpRequest.newBuilder(destination)
              .timeout(TIMEOUT)
              .header("Content-Type", "application/json")
              .header("User-Agent", "StreamSpace-Webhooks/1")
              .header(EVENT_ID_HEADER, eventId)
              .header(EVENT_TYPE_HEADER, eventType)
              .header(WebhookSignature.HEADER, WebhookSignature.header(secret, unixSeconds, body))
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build();
      HttpResponse<InputStream> answer = client.send(request, BodyHandlers.ofInputStream());
      answer.body().close(); // unread: closing it gives the connection up
      int status = answer.statusCode();
      return status / 100 == 2 ? new Outcome(status, null) : new Outcome(status, "HTTP " + status);
    } catch (HttpTimeoutException e) {
      return new Outcome(null, "no answer within " + TIMEOUT.toSeconds() + " seconds");
    } catch (IOException e) {
      return new Outcome(null, cut(e.toString()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(null, "interrupted while sending");
    } catch (RuntimeException e) {
      // a request that cannot be made (an event type no header can carry, a port out of range):
      // an attempt failed like any other, so the delivery is retried and given up in time
      return new Outcome(null, cut("the request could not be made: " + e.getMessage()));
    }
  }

  private static String cut(String error) {
    return error.length() <= MAX_ERROR_LENGTH ? error : error.substring(0, MAX_ERROR_LENGTH);
  }
}
