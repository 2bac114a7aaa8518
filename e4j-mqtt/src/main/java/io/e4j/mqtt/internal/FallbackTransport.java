package io.e4j.mqtt.internal;

import io.e4j.mqtt.internal.RefusedException.Refusal;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * MQTT 5, or MQTT 3.1.1 with a broker that speaks only that: when a connection with MQTT 5 is
 * refused for its version, the same connect() tries MQTT 3.1.1 at once, and keeps to it from then
 * on. MQTT 3.1.1 §3.1.2.2 has a broker answer a protocol level it does not support with return code
 * 0x01 precisely so that a client can try a lower one; E4 needs nothing of MQTT 5 that 3.1.1 lacks.
 */
final class FallbackTransport implements MqttTransport {
  private final ConnectionSettings settings;
  private final Events events;
  private volatile HiveMqTransport<?> current;
  private volatile boolean closed;

  FallbackTransport(ConnectionSettings settings, Events events) {
    this.settings = settings;
    this.events = events;
    this.current = HiveMqTransport.of(settings, events);
  }

  @Override
  public CompletableFuture<Void> connect() {
    closed = false;
    HiveMqTransport<?> attempt = current;
    return attempt
        .connect()
        .exceptionallyCompose(
            failure -> {
              Throwable cause = unwrap(failure);
              if (closed
                  || attempt.mqttVersion() != 5
                  || !(cause instanceof RefusedException refused)
                  || refused.refusal() != Refusal.PROTOCOL_VERSION) {
                return CompletableFuture.failedFuture(cause);
              }
              HiveMqTransport<?> mqtt3 = HiveMqTransport.of(settings.withMqtt3(), events);
              current = mqtt3;
              return mqtt3.connect().exceptionallyCompose(again -> neither(unwrap(again)));
            });
  }

  /** MQTT 3.1.1 refused for its version too: say that both were tried. */
  private CompletableFuture<Void> neither(Throwable failure) {
    if (failure instanceof RefusedException refused
        && refused.refusal() == Refusal.PROTOCOL_VERSION) {
      return CompletableFuture.failedFuture(
          new RefusedException(
              Refusal.PROTOCOL_VERSION,
              "the broker at "
                  + settings.address()
                  + " refused the connection: it speaks neither MQTT 5 nor MQTT 3.1.1 (both"
                  + " tried)",
              refused));
    }
    return CompletableFuture.failedFuture(failure);
  }

  @Override
  public CompletableFuture<Void> subscribe(String topicFilter, int qos) {
    return current.subscribe(topicFilter, qos);
  }

  @Override
  public CompletableFuture<Void> unsubscribe(String topicFilter) {
    return current.unsubscribe(topicFilter);
  }

  @Override
  public CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retain) {
    return current.publish(topic, payload, qos, retain);
  }

  @Override
  public boolean isConnected() {
    return current.isConnected();
  }

  @Override
  public int mqttVersion() {
    return current.mqttVersion();
  }

  @Override
  public CompletableFuture<Void> disconnect() {
    closed = true;
    return current.disconnect();
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }
}
