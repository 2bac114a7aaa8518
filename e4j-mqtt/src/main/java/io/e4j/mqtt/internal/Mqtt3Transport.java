package io.e4j.mqtt.internal;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.lifecycle.Mqtt3ClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt3.message.auth.Mqtt3SimpleAuth;
import com.hivemq.client.mqtt.mqtt3.message.connect.Mqtt3Connect;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import java.util.concurrent.CompletableFuture;

/** MQTT 3.1.1: a broker can refuse a subscription, never a message. */
final class Mqtt3Transport extends HiveMqTransport {
  private final Mqtt3AsyncClient client;

  Mqtt3Transport(ConnectionSettings settings, Events events) {
    super(settings, events);
    this.client = clientBuilder().useMqttVersion3().buildAsync();
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
   * settings, unless told which.
   */
  @Override
  void reconnectWith(MqttClientDisconnectedContext context, byte[] password) {
    if (context instanceof Mqtt3ClientDisconnectedContext mqtt3) {
      mqtt3.getReconnector().connect(connectMessage(password));
    }
  }

  private Mqtt3Connect connectMessage(byte[] password) {
    var connect = Mqtt3Connect.builder().cleanSession(settings.cleanSession());
    if (settings.username() != null) {
      var auth = Mqtt3SimpleAuth.builder().username(settings.username());
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
              if (subAck.getReturnCodes().contains(Mqtt3SubAckReturnCode.FAILURE)) {
                throw new RefusedException(
                    RefusedException.Refusal.SUBSCRIPTION,
                    "the broker refused the subscription to " + topicFilter,
                    null);
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
  CompletableFuture<Void> sendDisconnect() {
    return client.disconnect();
  }
}
