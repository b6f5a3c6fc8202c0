package io.streamspace.host.journal.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The Kafka clients' properties an operator gives in a file ({@code --kafka-properties}, the
 * host's and the benchmark's): {@code security.protocol}, {@code sasl.*}, {@code ssl.*}... Its
 * values are secrets (SASL passwords, key store passwords): no message here quotes them.
 */
public final class KafkaClientProperties {

  /** The file could not be read; the message names neither its content nor its values. */
  public static final class Unreadable extends Exception {
    Unreadable(String message) {
      super(message, null, false, false);
    }
  }

  private KafkaClientProperties() {}

  /**
   * The properties of a Java properties file (UTF-8), by name.
   *
   * @throws Unreadable saying "could not be read as Java properties", and why when the file
   *     could not be opened
   */
  public static Map<String, String> read(Path file) throws Unreadable {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    } catch (IOException | IllegalArgumentException e) {
      // the message of an IllegalArgumentException (a malformed Unicode escape) quotes the file
      throw new Unreadable(
          "could not be read as Java properties" + (e instanceof IOException ? ": " + e : ""));
    }
    Map<String, String> read = new TreeMap<>();
    properties.stringPropertyNames().forEach(key -> read.put(key, properties.getProperty(key)));
    return read;
  }
}
