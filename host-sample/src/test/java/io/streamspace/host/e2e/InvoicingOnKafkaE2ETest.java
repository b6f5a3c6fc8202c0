package io.streamspace.host.e2e;

import io.streamspace.host.journal.kafka.KafkaSettings;
import io.streamspace.host.kafka.KafkaBrokers;

/** {@link InvoicingE2ETest} on the Kafka journal: the same invoice, to the cent. */
class InvoicingOnKafkaE2ETest extends InvoicingE2ETest {

  @Override
  KafkaSettings kafkaJournal() {
    return KafkaBrokers.shared().journal("invoicing");
  }
}
