package io.e4j.mqtt;

import io.e4j.mqtt.internal.ConnectionSettings;
import io.e4j.mqtt.internal.HiveMqTransport;
import io.e4j.mqtt.internal.MqttTransport;
import io.e4j.mqtt.internal.RefusedException;
import io.e4j.mqtt.internal.UnreachableException;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * {@link MqttConnection} on the internal HiveMQ transport, which knows none of the public types:
 * settings and events are handed over here, and the internal failures rethrown as {@link
 * BrokerRefusedException} and {@link BrokerUnreachableException}.
 */
final class HiveMqConnection implements MqttConnection {
  private final Settings settings;
  private final MqttTransport transport;

  HiveMqConnection(Settings settings, Events events) {
    this.settings = settings;
    this.transport =
        HiveMqTransport.create(
            new ConnectionSettings(
                settings.host(),
                settings.port(),
                settings.mqttVersion(),
                settings.mqtt3Fallback(),
                settings.clientId(),
                settings.tls(),
                settings.trustManagers(),
                settings.username(),
                password(settings),
                settings.cleanSession(),
                settings.sessionExpiry(),
                settings.reconnectMaxDelay(),
                settings.retryFirstConnection(),
                settings.connectTimeout()),
            new MqttTransport.Events() {
              @Override
              public void received(String topic, byte[] payload, int qos, boolean retained) {
                events.received(topic, payload, qos, retained);
              }

              @Override
              public void connected() {
                events.connected();
              }

              @Override
              public void disconnected(Throwable cause) {
                events.disconnected(publicFailure(cause));
              }

              @Override
              public void refused(RefusedException refusal) {
                events.refused((BrokerRefusedException) publicFailure(refusal));
              }
            });
  }

  /** The password at each CONNECT: the settings' supplier, or a copy of the fixed password. */
  private static Supplier<byte[]> password(Settings settings) {
    if (settings.passwordEachConnection() != null) {
      return settings.passwordEachConnection();
    }
    byte[] fixed = settings.password();
    return fixed == null ? null : fixed::clone;
  }

  @Override
  public CompletableFuture<Void> connect() {
    return withPublicFailure(transport.connect());
  }

  @Override
  public CompletableFuture<Void> subscribe(String topicFilter, int qos) {
    return withPublicFailure(transport.subscribe(topicFilter, qos));
  }

  @Override
  public CompletableFuture<Void> unsubscribe(String topicFilter) {
    return transport.unsubscribe(topicFilter);
  }

  @Override
  public CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retain) {
    return withPublicFailure(transport.publish(topic, payload, qos, retain));
  }

  @Override
  public boolean isConnected() {
    return transport.isConnected();
  }

  @Override
  public int mqttVersion() {
    return transport.mqttVersion();
  }

  @Override
  public CompletableFuture<Void> disconnect() {
    return transport.disconnect();
  }

  @Override
  public Settings settings() {
    return settings;
  }

  @Override
  public String toString() {
    return "MqttConnection[" + settings + "]";
  }

  private static CompletableFuture<Void> withPublicFailure(CompletableFuture<Void> operation) {
    return operation.exceptionallyCompose(
        failure ->
            CompletableFuture.failedFuture(
                publicFailure(
                    failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause()
                        : failure)));
  }

  /** The internal failures as their public types (same message and cause); others as they are. */
  private static Throwable publicFailure(Throwable failure) {
    if (failure instanceof RefusedException refused) {
      BrokerRefusedException exception =
          new BrokerRefusedException(
              BrokerRefusedException.Reason.valueOf(refused.refusal().name()),
              refused.getMessage(),
              refused.getCause(),
              refused.reasonCode() == null
                  ? OptionalInt.empty()
                  : OptionalInt.of(refused.reasonCode()),
              Optional.ofNullable(refused.reasonString()));
      exception.setStackTrace(refused.getStackTrace());
      return exception;
    }
    if (failure instanceof UnreachableException unreachable) {
      BrokerUnreachableException exception =
          new BrokerUnreachableException(unreachable.getMessage(), unreachable.getCause());
      exception.setStackTrace(unreachable.getStackTrace());
      return exception;
    }
    return failure;
  }
}
