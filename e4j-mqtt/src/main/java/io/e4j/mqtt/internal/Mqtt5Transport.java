package io.e4j.mqtt.internal;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5SimpleAuth;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5Connect;
import java.util.concurrent.CompletableFuture;

/** MQTT 5: session expiry, and reason codes on subscriptions and messages. */
final class Mqtt5Transport extends HiveMqTransport {
  private final Mqtt5AsyncClient client;

  Mqtt5Transport(ConnectionSettings settings, Events events) {
    super(settings, events);
    this.client = clientBuilder().useMqttVersion5().buildAsync();
    receive();
  }

  /**
   * Hands every incoming message to the events. The HiveMQ client drops this handler when a session
   * ends (a clean session's disconnection, or a session the broker no longer has): it is taken
   * again at once, or a connection made again would receive nothing.
   */
  private void receive() {
    client
        .toRx()
        .publishes(MqttGlobalPublishFilter.ALL)
        .subscribe(
            publish ->
                events.received(
                    publish.getTopic().toString(),
                    publish.getPayloadAsBytes(),
                    publish.getQos().getCode(),
                    publish.isRetain()),
            sessionEnded -> receive(),
            this::receive);
  }

  @Override
  MqttClient client() {
    return client;
  }

  @Override
  CompletableFuture<Void> sendConnect(byte[] password) {
    return client.connect(connectMessage(password)).thenApply(connAck -> null);
  }

  /**
   * The HiveMQ client reconnects with a CONNECT of its own, without credentials or session
   * settings, unless told which: C2 was refused by its own broker after a lost connection.
   */
  @Override
  void reconnectWith(MqttClientDisconnectedContext context, byte[] password) {
    if (context instanceof Mqtt5ClientDisconnectedContext mqtt5) {
      mqtt5.getReconnector().connect(connectMessage(password));
    }
  }

  private Mqtt5Connect connectMessage(byte[] password) {
    var connect =
        Mqtt5Connect.builder()
            .cleanStart(settings.cleanSession())
            .sessionExpiryInterval(
                settings.cleanSession() ? 0 : settings.sessionExpiry().getSeconds());
    if (settings.username() != null) {
      var auth = Mqtt5SimpleAuth.builder().username(settings.username());
      connect =
          connect.simpleAuth(password == null ? auth.build() : auth.password(password).build());
    }
    return connect.build();
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
                throw new RefusedException(
                    RefusedException.Refusal.SUBSCRIPTION,
                    "the broker refused the subscription to "
                        + topicFilter
                        + ": "
                        + subAck.getReasonCodes(),
                    null);
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
                          throw new RefusedException(
                              RefusedException.Refusal.MESSAGE,
                              "the broker refused the message on " + topic,
                              error);
                        }));
  }

  @Override
  CompletableFuture<Void> sendDisconnect() {
    return client.disconnect();
  }
}
