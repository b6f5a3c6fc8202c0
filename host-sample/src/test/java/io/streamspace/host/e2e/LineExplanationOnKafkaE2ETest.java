package io.streamspace.host.e2e;

import io.streamspace.host.journal.kafka.KafkaSettings;
import io.streamspace.host.kafka.KafkaBrokers;

/**
 * {@link LineExplanationE2ETest} on the Kafka journal: the host answers the plugin's journal
 * lookups from the Kafka journal's index, with the same event ids.
 */
class LineExplanationOnKafkaE2ETest extends LineExplanationE2ETest {

  @Override
  KafkaSettings kafkaJournal() {
    return KafkaBrokers.shared().journal("explain");
  }
}
