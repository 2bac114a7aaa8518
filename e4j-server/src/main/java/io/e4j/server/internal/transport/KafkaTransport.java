package io.e4j.server.internal.transport;

import io.e4j.core.KeyReports;
import io.e4j.server.C2Config;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes commands to the control topic ({@code e4.control} by default), keyed by the device's hex
 * ID so that one device's commands stay in one partition, in order. Idempotent, acks from all
 * in-sync replicas.
 */
public final class KafkaTransport implements Transport {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaTransport.class);

  /** Where devices' key reports go (docs/key-reports.md), keyed by the device's hex ID. */
  public static final String REPORT_TOPIC = "e4.reports";

  private static final String REPORT_GROUP = "e4j-c2";
  private static final String REPORT_TOPIC_PREFIX =
      KeyReports.REPORT_TOPIC_FILTER.substring(0, KeyReports.REPORT_TOPIC_FILTER.length() - 1);

  private final C2Config.Kafka settings;
  private final KafkaProducer<String, byte[]> producer;
  private volatile boolean closed;
  private volatile KafkaConsumer<String, byte[]> reportConsumer;
  private Thread reportReader;

  public KafkaTransport(C2Config.Kafka settings) {
    this.settings = settings;
    Map<String, Object> properties = new HashMap<>(settings.properties());
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    properties.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "e4j-c2");
    properties.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    this.producer =
        new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
  }

  @Override
  public CompletableFuture<Void> send(byte[] deviceId, byte[] message) {
    CompletableFuture<Void> sent = new CompletableFuture<>();
    producer.send(
        new ProducerRecord<>(settings.controlTopic(), HexFormat.of().formatHex(deviceId), message),
        (metadata, failure) -> {
          if (failure == null) {
            sent.complete(null);
          } else {
            sent.completeExceptionally(failure);
          }
        });
    return sent;
  }

  /**
   * Reads key reports from {@link #REPORT_TOPIC} (keyed by the device's hex ID) in consumer group
   * {@code e4j-c2}: several C2 nodes share its partitions, and go on from the group's committed
   * offsets. A group with none (C2's first start) reads the topic from its beginning: starting at
   * its end would skip the reports sent before the group's partitions were assigned, and a device
   * reports again only after its next command. Old reports cost a read each: C2 refuses those
   * replayed or stale.
   */
  @Override
  public void onReports(BiConsumer<String, byte[]> receiver) {
    Map<String, Object> properties = new HashMap<>(settings.properties());
    properties.keySet().removeIf(ProducerConfig.configNames()::contains);
    properties.putAll(securityOf(settings.properties()));
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, REPORT_GROUP);
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "e4j-c2-reports");
    reportReader = new Thread(() -> readReports(properties, receiver), "e4j-kafka-reports");
    reportReader.setDaemon(true);
    reportReader.start();
  }

  /** The properties that say how to reach the cluster (TLS, SASL), which both clients need. */
  private static Map<String, String> securityOf(Map<String, String> properties) {
    Map<String, String> security = new HashMap<>();
    properties.forEach(
        (key, value) -> {
          if (key.startsWith("security.") || key.startsWith("ssl.") || key.startsWith("sasl.")) {
            security.put(key, value);
          }
        });
    return security;
  }

  private void readReports(Map<String, Object> properties, BiConsumer<String, byte[]> receiver) {
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer())) {
      reportConsumer = consumer;
      consumer.subscribe(List.of(REPORT_TOPIC));
      while (!closed) {
        for (ConsumerRecord<String, byte[]> report : consumer.poll(Duration.ofMillis(500))) {
          if (report.key() != null && report.value() != null) {
            receiver.accept(REPORT_TOPIC_PREFIX + report.key(), report.value());
          }
        }
      }
    } catch (WakeupException closing) {
      // close() woke the consumer up.
    } catch (RuntimeException e) {
      LOG.error("C2 stopped reading key reports from Kafka topic {}", REPORT_TOPIC, e);
    }
  }

  @Override
  public int inFlightLimit() {
    return Integer.MAX_VALUE;
  }

  /** Connected to at least one broker of the cluster. */
  @Override
  public boolean connected() {
    return producer.metrics().values().stream()
        .anyMatch(
            metric ->
                metric.metricName().name().equals("connection-count")
                    && metric.metricName().group().equals("producer-metrics")
                    && metric.metricValue() instanceof Double count
                    && count > 0);
  }

  @Override
  public String describe() {
    return "Kafka " + settings.bootstrapServers() + " topic " + settings.controlTopic();
  }

  @Override
  public void close() {
    closed = true;
    KafkaConsumer<String, byte[]> consumer = reportConsumer;
    if (consumer != null) {
      consumer.wakeup();
    }
    if (reportReader != null) {
      try {
        reportReader.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    producer.close();
  }
}
