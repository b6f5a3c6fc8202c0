package io.streamspace.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.host.secrets.SecretBox;
import io.streamspace.host.webhooks.WebhookDestinations;
import io.streamspace.host.webhooks.WebhookEndpoints;
import io.streamspace.host.webhooks.WebhookOutbox;
import io.streamspace.host.webhooks.WebhookWorker;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Webhooks: the endpoints admins register, the destinations they may reach, the outbox published
 * events are written to, and the worker that delivers them once the plugins have started.
 */
record WebhooksWiring(
    WebhookEndpoints endpoints,
    WebhookDestinations destinations,
    WebhookWorker worker,
    WebhookOutbox outbox) {

  /** Opens the worker; it delivers nothing until {@link #startDelivering}. */
  static WebhooksWiring open(
      HostOptions options,
      DataSource dataSource,
      SecretBox secretBox,
      ObjectMapper mapper,
      OpenedParts parts) {
    WebhookEndpoints endpoints = new WebhookEndpoints(dataSource, options.clock(), secretBox);
    WebhookDestinations destinations = WebhookDestinations.from(options.secrets());
    WebhookWorker worker =
        parts.open(new WebhookWorker(dataSource, endpoints, destinations, options.clock()));
    return new WebhooksWiring(
        endpoints, destinations, worker, new WebhookOutbox(dataSource, mapper));
  }

  void startDelivering(Duration interval) {
    worker.start(interval);
  }
}
