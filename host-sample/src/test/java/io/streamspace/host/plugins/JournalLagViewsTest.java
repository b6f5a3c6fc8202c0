package io.streamspace.host.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.common.http.Json;
import io.streamspace.host.metrics.HostMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A plugin's lag per partition (the Kafka journal) is shown in {@code /api/health}, the catalog,
 * {@code /api/admin/plugins} and {@code /metrics}; the PostgreSQL journal's, which has none, is
 * shown as before.
 */
class JournalLagViewsTest {

  private static final ObjectMapper JSON = Json.newMapper();

  private static final JournalLag ON_KAFKA =
      new JournalLag(
          6,
          40,
          "node-1, node-2",
          List.of(
              new JournalLag.PartitionLag(0, 4, "node-1"),
              new JournalLag.PartitionLag(1, 2, "node-2")));

  private static final JournalLag ON_POSTGRESQL = new JournalLag(3, 5, "node-1", List.of());

  @Test
  void theCatalogAndTheAdminsPluginsShowEachPartition_withItsConsumer() {
    JsonNode lag = JSON.valueToTree(ON_KAFKA);

    assertEquals(6, lag.at("/events").asLong());
    assertEquals(4, lag.at("/partitions/0/events").asLong());
    assertEquals("node-2", lag.at("/partitions/1/consumer").asText());
    assertEquals(1, lag.at("/partitions/1/partition").asInt());
  }

  @Test
  void withoutPartitions_theLagIsShownAsBefore() {
    JsonNode lag = JSON.valueToTree(ON_POSTGRESQL);

    assertEquals(List.of("events", "seconds", "consumer"), fieldNames(lag));
    assertEquals(
        List.of("events", "seconds"),
        fieldNames(JSON.valueToTree(HealthRoutes.shown(ON_POSTGRESQL))));
  }

  @Test
  void healthShowsEachPartitionsEvents_butNotWhoConsumesIt() {
    JsonNode lag = JSON.valueToTree(HealthRoutes.shown(ON_KAFKA));

    assertEquals(2, lag.at("/partitions/1/events").asLong());
    assertEquals(List.of("partition", "events"), fieldNames(lag.at("/partitions/0")));
  }

  @Test
  void metricsShowAGaugePerPluginAndPartition_besideThePerPluginOne() {
    try (HostMetrics metrics = new HostMetrics()) {
      metrics.journalLag(ids -> Map.of("billing", ON_KAFKA), () -> List.of("billing"));

      String scraped = metrics.scrape();

      assertTrue(
          scraped.contains("streamspace_journal_lag_events{plugin=\"billing\"} 6.0"), scraped);
      assertTrue(
          scraped.contains(
              "streamspace_journal_partition_lag_events{partition=\"0\",plugin=\"billing\"} 4.0"),
          scraped);
      assertTrue(
          scraped.contains(
              "streamspace_journal_partition_lag_events{partition=\"1\",plugin=\"billing\"} 2.0"),
          scraped);
    }
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
