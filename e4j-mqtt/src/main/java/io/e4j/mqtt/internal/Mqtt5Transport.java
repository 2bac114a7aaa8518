package io.e4j.mqtt.internal;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5SimpleAuth;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5Connect;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.reactivex.Flowable;
import java.util.concurrent.CompletableFuture;

/** MQTT 5: session expiry, and reason codes on subscriptions and messages. */
final class Mqtt5Transport extends HiveMqTransport<Mqtt5Connect> {
  private final Mqtt5AsyncClient client;

  Mqtt5Transport(ConnectionSettings settings, Events events) {
    super(settings, events);
    this.client = clientBuilder().useMqttVersion5().buildAsync();
    receive();
  }

  @Override
  MqttClient client() {
    return client;
  }

  @Override
  Flowable<Incoming> incoming() {
    return client
        .toRx()
        .publishes(MqttGlobalPublishFilter.ALL)
        .map(p -> new Incoming(p.getTopic(), p.getPayloadAsBytes(), p.getQos(), p.isRetain()));
  }

  @Override
  Mqtt5Connect connectMessage(Login login) {
    var connect =
        Mqtt5Connect.builder()
            .cleanStart(settings.cleanSession())
            .sessionExpiryInterval(
                settings.cleanSession() ? 0 : settings.sessionExpiry().getSeconds());
    return login == null ? connect.build() : connect.simpleAuth(auth(login)).build();
  }

  private static Mqtt5SimpleAuth auth(Login login) {
    var auth = Mqtt5SimpleAuth.builder().username(login.username());
    return login.password() == null ? auth.build() : auth.password(login.password()).build();
  }

  @Override
  CompletableFuture<?> sendConnect(Mqtt5Connect connect) {
    return client.connect(connect);
  }

  @Override
  void reconnectWith(MqttClientDisconnectedContext context, Mqtt5Connect connect) {
    ((Mqtt5ClientDisconnectedContext) context).getReconnector().connect(connect);
  }

  /** The refusal's details are the reason codes, e.g. {@code [NOT_AUTHORIZED]}. */
  @Override
  CompletableFuture<String> sendSubscribe(String topicFilter, MqttQos qos) {
    return client
        .subscribeWith()
        .topicFilter(topicFilter)
        .qos(qos)
        .send()
        .thenApply(
            ack ->
                ack.getReasonCodes().stream().anyMatch(Mqtt5SubAckReasonCode::isError)
                    ? ": " + ack.getReasonCodes()
                    : null);
  }

  @Override
  public CompletableFuture<Void> unsubscribe(String topicFilter) {
    return client.unsubscribeWith().topicFilter(topicFilter).send().thenApply(ack -> null);
  }

  @Override
  CompletableFuture<?> sendPublish(String topic, byte[] payload, MqttQos qos, boolean retain) {
    return client.publishWith().topic(topic).payload(payload).qos(qos).retain(retain).send();
  }

  @Override
  CompletableFuture<Void> sendDisconnect() {
    return client.disconnect();
  }
}
