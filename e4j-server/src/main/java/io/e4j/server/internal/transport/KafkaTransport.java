package io.e4j.server.internal.transport;

import io.e4j.server.C2Config;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes commands to the control topic ({@code e4.control} by default), keyed by the device's hex
 * ID so that one device's commands stay in one partition, in order. Idempotent, acks from all
 * in-sync replicas.
 */
public final class KafkaTransport implements Transport {
  private final C2Config.Kafka settings;
  private final KafkaProducer<String, byte[]> producer;

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
    producer.close();
  }
}
