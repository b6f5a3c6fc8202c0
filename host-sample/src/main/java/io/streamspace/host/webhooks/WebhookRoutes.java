package io.streamspace.host.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Page;
import io.streamspace.common.http.PathId;
import io.streamspace.host.auth.Authenticator;
import io.streamspace.host.http.HttpServer;
import io.streamspace.host.http.JsonBodies;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpStatus;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The admin routes of webhooks (docs/connecting-your-platform.md, "Receive webhooks"): endpoints
 * registered, listed and deleted; their deliveries listed and replayed.
 */
public final class WebhookRoutes implements HttpServer.RouteGroup {

  // dotted names ("billing.invoice.paid"), optionally ending in ".*"; or "*" alone
  private static final Pattern EVENT_TYPE =
      Pattern.compile("\\*|[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*(\\.\\*)?");
  private static final int MAX_URL_LENGTH = 2_000;
  private static final int MAX_EVENT_TYPES = 100;

  private final WebhookEndpoints endpoints;
  private final WebhookWorker worker;
  private final WebhookDestinations destinations;
  private final Authenticator auth;
  private final JsonBodies bodies;

  public WebhookRoutes(
      WebhookEndpoints endpoints,
      WebhookWorker worker,
      WebhookDestinations destinations,
      Authenticator auth,
      JsonBodies bodies) {
    this.endpoints = endpoints;
    this.worker = worker;
    this.destinations = destinations;
    this.auth = auth;
    this.bodies = bodies;
  }

  @Override
  public void register(Javalin app) {
    app.post("/api/admin/webhooks", this::create);
    app.get("/api/admin/webhooks", this::list);
    app.delete("/api/admin/webhooks/{id}", this::delete);
    app.get("/api/admin/webhooks/{id}/deliveries", this::deliveries);
    app.post("/api/admin/webhooks/{id}/deliveries/{delivery_id}/replay", this::replay);
  }

  /** 201 with the endpoint and its {@code secret}, which no later answer shows. */
  private void create(Context ctx) {
    auth.require(ctx, Caller.ROLE_ADMIN);
    JsonNode body = bodies.object(ctx);
    String url = url(body.get("url"));
    List<String> types = eventTypes(body.get("event_types"));
    WebhookEndpoints.Created created = endpoints.create(url, types);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("endpoint", created.endpoint());
    answer.put("secret", created.secret());
    ctx.status(HttpStatus.CREATED).json(answer);
  }

  private void list(Context ctx) {
    auth.require(ctx, Caller.ROLE_ADMIN);
    ctx.json(Map.of("endpoints", endpoints.all()));
  }

  /** Disables the endpoint: nothing more is sent to it; it stays listed with its deliveries. */
  private void delete(Context ctx) {
    auth.require(ctx, Caller.ROLE_ADMIN);
    if (!endpoints.disable(endpoint(ctx).id())) {
      throw noEndpoint(ctx);
    }
    ctx.status(HttpStatus.NO_CONTENT);
  }

  private void deliveries(Context ctx) {
    auth.require(ctx, Caller.ROLE_ADMIN);
    WebhookEndpoint endpoint = endpoint(ctx);
    Page page = Page.of(ctx::queryParam);
    List<WebhookDelivery> fetched = worker.page(endpoint.id(), page);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("deliveries", page.rows(fetched));
    answer.put("next_offset", page.nextOffset(fetched));
    ctx.json(answer);
  }

  /** Sends the delivery again now and answers it, the new attempt first in its attempts. */
  private void replay(Context ctx) {
    auth.require(ctx, Caller.ROLE_ADMIN);
    WebhookEndpoint endpoint = endpoint(ctx);
    String deliveryId = ctx.pathParam("delivery_id");
    OptionalLong id = PathId.parse(deliveryId);
    ctx.json(
        (id.isPresent() ? worker.replay(endpoint.id(), id.getAsLong()) : Optional.empty())
            .orElseThrow(
                () ->
                    ApiException.notFound(
                        "webhook endpoint " + endpoint.id() + " has no delivery " + deliveryId)));
  }

  private WebhookEndpoint endpoint(Context ctx) {
    OptionalLong id = PathId.parse(ctx.pathParam("id"));
    return (id.isPresent() ? endpoints.find(id.getAsLong()) : Optional.<WebhookEndpoint>empty())
        .orElseThrow(() -> noEndpoint(ctx));
  }

  private static ApiException noEndpoint(Context ctx) {
    return ApiException.notFound("no webhook endpoint " + ctx.pathParam("id"));
  }

  private String url(JsonNode node) {
    if (node == null || !node.isTextual()) {
      throw invalid("url is required: an http or https URL", "url");
    }
    String text = node.asText();
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
      if ((scheme.equals("http") || scheme.equals("https"))
          && uri.getHost() != null
          && text.length() <= MAX_URL_LENGTH) {
        Optional<String> refused = destinations.refusalOfLiteral(uri);
        if (refused.isPresent()) {
          throw invalid("url " + refused.get(), "url");
        }
        return text;
      }
    } catch (URISyntaxException e) {
      // answered below
    }
    throw invalid(
        "url must be an absolute http or https URL of at most " + MAX_URL_LENGTH + " characters",
        "url");
  }

  private static List<String> eventTypes(JsonNode node) {
    if (node == null || !node.isArray() || node.isEmpty() || node.size() > MAX_EVENT_TYPES) {
      throw invalid(
          "event_types must be an array of 1 to " + MAX_EVENT_TYPES + " event types",
          "event_types");
    }
    List<String> types = new ArrayList<>();
    for (JsonNode type : node) {
      if (!type.isTextual() || !EVENT_TYPE.matcher(type.asText()).matches()) {
        throw invalid(
            "each event type is a dotted name (billing.invoice.paid), a prefix ending in .*"
                + " (billing.*) or * (every event); got "
                + type,
            "event_types");
      }
      if (!types.contains(type.asText())) {
        types.add(type.asText());
      }
    }
    return types;
  }

  private static ApiException invalid(String message, String field) {
    return ApiException.badRequest("invalid_request", message, field);
  }
}
