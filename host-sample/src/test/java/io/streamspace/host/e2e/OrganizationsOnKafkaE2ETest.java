package io.streamspace.host.e2e;

import io.streamspace.host.journal.kafka.KafkaSettings;
import io.streamspace.host.kafka.KafkaBrokers;

/**
 * {@link OrganizationsE2ETest} on the Kafka journal: a team's events, shuffled and keyed by the
 * organization (so they share a partition and keep their order there), give the same usage,
 * seats, limits and final invoice as on PostgreSQL.
 */
class OrganizationsOnKafkaE2ETest extends OrganizationsE2ETest {

  @Override
  KafkaSettings kafkaJournal() {
    return KafkaBrokers.shared().journal("organizations");
  }
}
