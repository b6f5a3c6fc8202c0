package io.streamspace.host.e2e;

import io.streamspace.host.journal.kafka.KafkaSettings;
import io.streamspace.host.kafka.KafkaBrokers;

/**
 * {@link SessionMeteringE2ETest}'s money on the Kafka journal: the seed's pricing example, late
 * and out-of-order heartbeats, a redelivered batch and a rerun job bill the same cents as on
 * PostgreSQL.
 */
class SessionMeteringOnKafkaE2ETest extends SessionMeteringE2ETest {

  @Override
  KafkaSettings kafkaJournal() {
    return KafkaBrokers.shared().journal("session-metering");
  }
}
