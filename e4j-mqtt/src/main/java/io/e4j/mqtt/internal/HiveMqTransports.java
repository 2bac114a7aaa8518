package io.e4j.mqtt.internal;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.auth.Mqtt3SimpleAuth;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5SimpleAuth;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** {@link MqttTransport} on the HiveMQ MQTT client, for MQTT 3.1.1 and MQTT 5. */
public final class HiveMqTransports {
  private HiveMqTransports() {}

  public static MqttTransport create(ConnectionSettings settings, MqttTransport.Events events) {
    MqttClientBuilder builder =
        MqttClient.builder()
            .identifier(settings.clientId())
            .serverHost(settings.host())
            .serverPort(settings.port())
            .automaticReconnect()
            .initialDelay(200, TimeUnit.MILLISECONDS)
            .maxDelay(settings.reconnectMaxDelay().toMillis(), TimeUnit.MILLISECONDS)
            .applyAutomaticReconnect()
            .addConnectedListener(context -> events.connected())
            .addDisconnectedListener(context -> events.disconnected(context.getCause()));
    if (settings.trustManagers() != null) {
      builder =
          builder.sslConfig(
              MqttClientSslConfig.builder().trustManagerFactory(settings.trustManagers()).build());
    }
    return settings.mqttVersion() == 5
        ? new Mqtt5(builder.useMqttVersion5().buildAsync(), settings, events)
        : new Mqtt3(builder.useMqttVersion3().buildAsync(), settings, events);
  }

  private static MqttQos qos(int qos) {
    MqttQos value = MqttQos.fromCode(qos);
    if (value == null) {
      throw new IllegalArgumentException("MQTT QoS is 0, 1 or 2, got " + qos);
    }
    return value;
  }

  private static final class Mqtt5 implements MqttTransport {
    private final Mqtt5AsyncClient client;
    private final ConnectionSettings settings;

    Mqtt5(Mqtt5AsyncClient client, ConnectionSettings settings, Events events) {
      this.client = client;
      this.settings = settings;
      client.publishes(
          MqttGlobalPublishFilter.ALL,
          publish ->
              events.received(
                  publish.getTopic().toString(),
                  publish.getPayloadAsBytes(),
                  publish.getQos().getCode(),
                  publish.isRetain()));
    }

    @Override
    public CompletableFuture<Void> connect() {
      var connect =
          client
              .connectWith()
              .cleanStart(settings.cleanSession())
              .sessionExpiryInterval(
                  settings.cleanSession() ? 0 : settings.sessionExpiry().getSeconds());
      if (settings.username() != null) {
        var auth = Mqtt5SimpleAuth.builder().username(settings.username());
        connect =
            connect.simpleAuth(
                settings.password() == null
                    ? auth.build()
                    : auth.password(settings.password()).build());
      }
      return connect.send().thenApply(connAck -> null);
    }

    @Override
    public CompletableFuture<Void> subscribe(String topicFilter, int qos) {
      return client
          .subscribeWith()
          .topicFilter(topicFilter)
          .qos(qos(qos))
          .send()
          .thenAccept(
              subAck -> {
                if (subAck.getReasonCodes().stream().anyMatch(code -> code.isError())) {
                  throw new IllegalStateException(
                      "the broker refused the subscription to "
                          + topicFilter
                          + ": "
                          + subAck.getReasonCodes());
                }
              });
    }

    @Override
    public CompletableFuture<Void> unsubscribe(String topicFilter) {
      return client.unsubscribeWith().topicFilter(topicFilter).send().thenApply(ack -> null);
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retain) {
      return client
          .publishWith()
          .topic(topic)
          .payload(payload)
          .qos(qos(qos))
          .retain(retain)
          .send()
          .thenAccept(
              result ->
                  result
                      .getError()
                      .ifPresent(
                          error -> {
                            throw new IllegalStateException(
                                "the broker refused the message on " + topic, error);
                          }));
    }

    @Override
    public CompletableFuture<Void> disconnect() {
      return client.disconnect();
    }
  }

  private static final class Mqtt3 implements MqttTransport {
    private final Mqtt3AsyncClient client;
    private final ConnectionSettings settings;

    Mqtt3(Mqtt3AsyncClient client, ConnectionSettings settings, Events events) {
      this.client = client;
      this.settings = settings;
      client.publishes(
          MqttGlobalPublishFilter.ALL,
          publish ->
              events.received(
                  publish.getTopic().toString(),
                  publish.getPayloadAsBytes(),
                  publish.getQos().getCode(),
                  publish.isRetain()));
    }

    @Override
    public CompletableFuture<Void> connect() {
      var connect = client.connectWith().cleanSession(settings.cleanSession());
      if (settings.username() != null) {
        var auth = Mqtt3SimpleAuth.builder().username(settings.username());
        connect =
            connect.simpleAuth(
                settings.password() == null
                    ? auth.build()
                    : auth.password(settings.password()).build());
      }
      return connect.send().thenApply(connAck -> null);
    }

    @Override
    public CompletableFuture<Void> subscribe(String topicFilter, int qos) {
      return client
          .subscribeWith()
          .topicFilter(topicFilter)
          .qos(qos(qos))
          .send()
          .thenAccept(
              subAck -> {
                if (subAck.getReturnCodes().contains(Mqtt3SubAckReturnCode.FAILURE)) {
                  throw new IllegalStateException(
                      "the broker refused the subscription to " + topicFilter);
                }
              });
    }

    @Override
    public CompletableFuture<Void> unsubscribe(String topicFilter) {
      return client.unsubscribeWith().topicFilter(topicFilter).send();
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retain) {
      return client
          .publishWith()
          .topic(topic)
          .payload(payload)
          .qos(qos(qos))
          .retain(retain)
          .send()
          .thenApply(published -> null);
    }

    @Override
    public CompletableFuture<Void> disconnect() {
      return client.disconnect();
    }
  }
}
