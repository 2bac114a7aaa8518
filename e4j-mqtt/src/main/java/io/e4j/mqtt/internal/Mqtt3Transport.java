package io.e4j.mqtt.internal;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.lifecycle.Mqtt3ClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt3.message.auth.Mqtt3SimpleAuth;
import com.hivemq.client.mqtt.mqtt3.message.connect.Mqtt3Connect;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import io.reactivex.Flowable;
import java.util.concurrent.CompletableFuture;

/** MQTT 3.1.1: a broker can refuse a subscription, never a message. */
final class Mqtt3Transport extends HiveMqTransport<Mqtt3Connect> {
  private final Mqtt3AsyncClient client;

  Mqtt3Transport(ConnectionSettings settings, Events events) {
    super(settings, events);
    this.client = clientBuilder().useMqttVersion3().buildAsync();
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
  Mqtt3Connect connectMessage(Login login) {
    var connect = Mqtt3Connect.builder().cleanSession(settings.cleanSession());
    return login == null ? connect.build() : connect.simpleAuth(auth(login)).build();
  }

  private static Mqtt3SimpleAuth auth(Login login) {
    var auth = Mqtt3SimpleAuth.builder().username(login.username());
    return login.password() == null ? auth.build() : auth.password(login.password()).build();
  }

  @Override
  CompletableFuture<?> sendConnect(Mqtt3Connect connect) {
    return client.connect(connect);
  }

  @Override
  void reconnectWith(MqttClientDisconnectedContext context, Mqtt3Connect connect) {
    ((Mqtt3ClientDisconnectedContext) context).getReconnector().connect(connect);
  }

  @Override
  CompletableFuture<String> sendSubscribe(String topicFilter, MqttQos qos) {
    return client
        .subscribeWith()
        .topicFilter(topicFilter)
        .qos(qos)
        .send()
        .thenApply(ack -> ack.getReturnCodes().contains(Mqtt3SubAckReturnCode.FAILURE) ? "" : null);
  }

  @Override
  public CompletableFuture<Void> unsubscribe(String topicFilter) {
    return client.unsubscribeWith().topicFilter(topicFilter).send();
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
