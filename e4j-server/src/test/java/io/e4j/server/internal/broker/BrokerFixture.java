package io.e4j.server.internal.broker;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import io.e4j.mqtt.MqttConnection;
import io.e4j.server.C2Config.EmbeddedMqtt.Access;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The embedded broker on any free port of 127.0.0.1, with an in-memory device directory, C2's own
 * connection as {@code MqttTransport} makes it (MQTT 5, QoS 2, C2's login), the presence it
 * reports, and test clients (the HiveMQ client), all closed with it.
 */
final class BrokerFixture implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(10);

  final Path directory;
  final InMemoryDirectory devices;
  final Access access;
  final BlockingQueue<String> presence = new LinkedBlockingQueue<>();

  /** What each device's presence triggers, by hex ID: C2 publishing in the callback, say. */
  final Map<String, BiConsumer<byte[], String>> onPresence = new ConcurrentHashMap<>();

  EmbeddedBroker broker;
  MqttConnection c2;

  /** What C2's connection received ({@code e4j/reports/+}, say), as "topic payload". */
  final BlockingQueue<String> c2Received = new LinkedBlockingQueue<>();

  /** Every time C2's connection was lost: nobody may knock C2 off. */
  final java.util.concurrent.atomic.AtomicInteger c2Lost =
      new java.util.concurrent.atomic.AtomicInteger();

  private final List<AutoCloseable> clients = new ArrayList<>();

  BrokerFixture(Path directory, Access access, InMemoryDirectory devices) {
    this.directory = directory;
    this.access = access;
    this.devices = devices;
  }

  /** Starts the broker (again, on the same directory, after {@link #stopBroker()}) and C2. */
  BrokerFixture start() {
    broker =
        EmbeddedBroker.start(
            new EmbeddedBroker.Settings("127.0.0.1", 0, access, null, directory, "e4j-c2"),
            devices,
            new BrokerPresence() {
              @Override
              public void controlTopicSubscribed(byte[] deviceId, String clientId) {
                String hex = Topics.hex(deviceId);
                presence.add(hex + " " + clientId);
                BiConsumer<byte[], String> action = onPresence.get(hex);
                if (action != null) {
                  action.accept(deviceId, clientId);
                }
              }
            });
    c2 = c2Connection(broker.c2Login().password());
    c2.connect().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    return this;
  }

  /** A connection as C2's transport makes it, with {@code password}. */
  MqttConnection c2Connection(String password) {
    return MqttConnection.create(
        MqttConnection.Settings.builder()
            .host("127.0.0.1")
            .port(broker.port())
            .mqttVersion(5)
            .clientId("e4j-c2")
            .credentials("e4j-c2", password.getBytes(UTF_8))
            .cleanSession(true)
            .build(),
        new MqttConnection.Events() {
          @Override
          public void received(String topic, byte[] payload, int qos, boolean retained) {
            c2Received.add(topic + " " + new String(payload, UTF_8));
          }

          @Override
          public void disconnected(Throwable cause) {
            c2Lost.incrementAndGet();
          }
        });
  }

  /** C2 publishes a command (QoS 2, not retained) on a control topic. */
  void c2Publishes(String controlTopic, String payload) {
    c2.publish(controlTopic, payload.getBytes(UTF_8), 2, false)
        .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS)
        .join();
  }

  void stopBroker() {
    c2.disconnect().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).exceptionally(e -> null).join();
    broker.close();
  }

  Mqtt5ClientBuilder v5(String clientId) {
    return MqttClient.builder()
        .useMqttVersion5()
        .identifier(clientId)
        .serverHost("127.0.0.1")
        .serverPort(broker.port());
  }

  Mqtt3ClientBuilder v3(String clientId) {
    return MqttClient.builder()
        .useMqttVersion3()
        .identifier(clientId)
        .serverHost("127.0.0.1")
        .serverPort(broker.port());
  }

  /** An MQTT 5 client whose every received message lands in {@code received} as "topic payload". */
  Mqtt5AsyncClient track(Mqtt5AsyncClient client, BlockingQueue<String> received) {
    client.publishes(
        MqttGlobalPublishFilter.ALL,
        publish ->
            received.add(
                publish.getTopic() + " " + new String(publish.getPayloadAsBytes(), UTF_8)));
    clients.add(() -> client.disconnect().exceptionally(e -> null).get(5, TimeUnit.SECONDS));
    return client;
  }

  Mqtt3AsyncClient track(Mqtt3AsyncClient client, BlockingQueue<String> received) {
    client.publishes(
        MqttGlobalPublishFilter.ALL,
        publish ->
            received.add(
                publish.getTopic() + " " + new String(publish.getPayloadAsBytes(), UTF_8)));
    clients.add(() -> client.disconnect().exceptionally(e -> null).get(5, TimeUnit.SECONDS));
    return client;
  }

  @Override
  public void close() {
    for (AutoCloseable client : clients) {
      try {
        client.close();
      } catch (Exception e) {
        // Refused or gone already.
      }
    }
    if (c2 != null) {
      c2.disconnect().exceptionally(e -> null);
    }
    if (broker != null) {
      broker.close();
    }
  }
}
