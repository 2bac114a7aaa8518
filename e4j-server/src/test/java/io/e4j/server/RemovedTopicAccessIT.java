package io.e4j.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.e4j.core.ClientStore;
import io.e4j.core.E4Client;
import io.e4j.core.Keys;
import io.e4j.server.node.C2Server;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A topic removed through C2, with devices connected to the embedded broker in {@code devices}
 * access mode that subscribed and published there: the broker follows C2's event log and takes the
 * topic from all of them at once, not when their connections end. The devices are raw MQTT clients
 * logged in as e4j devices: what they receive is what the broker forwards, whatever keys they hold.
 */
class RemovedTopicAccessIT {
  private static final String TOPIC = "plant/heat";

  @TempDir Path dataDirectory;

  private C2Server server;
  private final List<Mqtt5AsyncClient> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(client -> client.disconnect().exceptionally(failure -> null).join());
    if (server != null) {
      server.close();
    }
  }

  @Test
  void removedTopic_linkedDevicesNeitherReceiveNorPublishNorSubscribeThereAnyMore()
      throws Exception {
    C2Config config =
        C2Config.defaults(dataDirectory)
            .withApi(C2Config.Api.disabled())
            .withBroker(
                new C2Config.EmbeddedMqtt("127.0.0.1", 0)
                    .withAccess(C2Config.EmbeddedMqtt.Access.DEVICES));
    server = C2Server.start(config, Clock.systemUTC(), Map.of());
    C2Service c2 = server.service();
    c2.createTopic(TOPIC);
    BlockingQueue<String> aliceGot = new LinkedBlockingQueue<>();
    BlockingQueue<String> bobGot = new LinkedBlockingQueue<>();
    Mqtt5AsyncClient alice = connect(device(c2, "alice"), aliceGot);
    Mqtt5AsyncClient bob = connect(device(c2, "bob"), bobGot);
    Mqtt5AsyncClient carol = connect(device(c2, "carol"), new LinkedBlockingQueue<>());
    Mqtt5AsyncClient dave = connect(device(c2, "dave"), new LinkedBlockingQueue<>());
    for (String name : List.of("alice", "bob", "carol")) {
      c2.link(DeviceRef.name(name), TOPIC);
    }
    assertThat(subscribe(alice, TOPIC)).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
    assertThat(subscribe(bob, TOPIC)).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
    publish(carol, "before").get(10, TimeUnit.SECONDS);
    assertThat(aliceGot.poll(10, TimeUnit.SECONDS)).isEqualTo(TOPIC + " before");
    assertThat(bobGot.poll(10, TimeUnit.SECONDS)).isEqualTo(TOPIC + " before");

    c2.removeTopic(TOPIC);
    // The broker follows C2's event log in order: once it disconnects dave for his new key, it
    // has applied the topic's removal, logged before.
    c2.newDeviceKey(DeviceRef.name("dave"));
    await().atMost(Duration.ofSeconds(30)).until(() -> !dave.getState().isConnected());

    Throwable refused = failure(publish(carol, "after"));
    assertThat(((Mqtt5PubAckException) refused).getMqttMessage().getReasonCode())
        .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
    assertThat(subscribe(alice, TOPIC)).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
    assertThat(subscribe(bob, TOPIC)).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
    assertThat(aliceGot.poll(1, TimeUnit.SECONDS)).isNull();
    assertThat(bobGot.poll(1, TimeUnit.SECONDS)).isNull();
  }

  private static E4Client device(C2Service c2, String name) {
    byte[] key = Keys.randomKey();
    c2.createDevice(NewDevice.of(DeviceRef.name(name), new DeviceCredential.SymmetricKey(key)));
    return E4Client.builder().name(name).key(key).store(ClientStore.memory()).build();
  }

  /** Logged in as the device; what it receives off its control topic lands in {@code got}. */
  private Mqtt5AsyncClient connect(E4Client device, BlockingQueue<String> got) throws Exception {
    Mqtt5AsyncClient client =
        MqttClient.builder()
            .useMqttVersion5()
            .identifier(HexFormat.of().formatHex(device.id()))
            .serverHost("127.0.0.1")
            .serverPort(server.embeddedBrokerPort().get())
            .simpleAuth()
            .username(HexFormat.of().formatHex(device.id()))
            .password(device.brokerPassword().getBytes(US_ASCII))
            .applySimpleAuth()
            .buildAsync();
    client.publishes(
        MqttGlobalPublishFilter.SUBSCRIBED,
        publish ->
            got.add(publish.getTopic() + " " + new String(publish.getPayloadAsBytes(), UTF_8)));
    client.connect().get(10, TimeUnit.SECONDS);
    clients.add(client);
    return client;
  }

  private static CompletableFuture<?> publish(Mqtt5AsyncClient client, String payload) {
    return client
        .publishWith()
        .topic(TOPIC)
        .qos(MqttQos.AT_LEAST_ONCE)
        .payload(payload.getBytes(UTF_8))
        .send();
  }

  private static Mqtt5SubAckReasonCode subscribe(Mqtt5AsyncClient client, String filter)
      throws Exception {
    try {
      return client
          .subscribeWith()
          .topicFilter(filter)
          .qos(MqttQos.AT_LEAST_ONCE)
          .send()
          .get(10, TimeUnit.SECONDS)
          .getReasonCodes()
          .get(0);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Mqtt5SubAckException refused) {
        return refused.getMqttMessage().getReasonCodes().get(0);
      }
      throw e;
    }
  }

  private static Throwable failure(CompletableFuture<?> future) throws Exception {
    try {
      future.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a refusal, got success");
  }
}
