package io.streamspace.host.e2e;

import io.streamspace.host.journal.kafka.KafkaSettings;
import io.streamspace.host.kafka.KafkaBrokers;
import org.junit.jupiter.api.AfterAll;

/**
 * A billing host on a Kafka journal whose brokers are the test class's own, to stop and start
 * (the shared broker is never stopped): started before the host, closed after it.
 */
abstract class OwnKafkaBrokersTestBase extends BillingHostTestBase {

  KafkaBrokers brokers;
  KafkaSettings journal;

  /** How many brokers the class starts (1 to 3). */
  abstract int brokerCount();

  /** What the journal's topic is named after. */
  abstract String topicName();

  @Override
  KafkaSettings kafkaJournal() {
    brokers = KafkaBrokers.start(brokerCount());
    journal = brokers.journal(topicName());
    return journal;
  }

  /** The host first, while its brokers still answer, then the brokers. */
  @Override
  @AfterAll
  void stopHost() {
    try {
      super.stopHost();
    } finally {
      try {
        brokers.close();
      } catch (Exception e) {
        throw new IllegalStateException("the brokers did not close", e);
      }
    }
  }
}
