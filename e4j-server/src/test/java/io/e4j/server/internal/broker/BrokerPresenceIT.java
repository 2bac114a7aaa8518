package io.e4j.server.internal.broker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.e4j.server.C2Config.EmbeddedMqtt.Access;
import io.e4j.server.internal.broker.InMemoryDirectory.Device;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Presence from the embedded broker: C2 hears that a device's control topic has a subscriber once
 * the subscription is in effect, so that a QoS 2 command it publishes from the callback reaches the
 * device: fresh clients of MQTT 3.1.1 and 5, {@code mosquitto_sub} (which subscribes before the
 * CONNACK), and persistent sessions across a broker restart.
 */
class BrokerPresenceIT {
  private static final int ROUNDS = 50;
  private static final String MOSQUITTO_SUB = "/usr/bin/mosquitto_sub";

  @TempDir Path directory;

  /** C2 publishes a QoS 2 command on the device's control topic as soon as it hears of it. */
  private static void publishOnPresence(BrokerFixture fixture, Device device, String payload) {
    fixture.onPresence.put(
        device.hex(),
        (deviceId, clientId) ->
            // From the callback itself: the broker's threads are not the listener's.
            fixture.c2.publish(device.controlTopic(), payload.getBytes(UTF_8), 2, false));
  }

  @Test
  void aCommandPublishedFromThePresenceCallback_reachesFreshMqtt5Clients() throws Exception {
    try (BrokerFixture fixture =
        new BrokerFixture(directory, Access.OPEN, new InMemoryDirectory()).start()) {
      for (int round = 0; round < ROUNDS; round++) {
        Device device = fixture.devices.add("v5-" + round);
        publishOnPresence(fixture, device, "command " + round);
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        Mqtt5AsyncClient client =
            fixture.track(fixture.v5("fresh-v5-" + round).buildAsync(), received);
        client.connectWith().cleanStart(true).send().get(10, TimeUnit.SECONDS);
        client
            .subscribeWith()
            .topicFilter(device.controlTopic())
            .qos(MqttQos.EXACTLY_ONCE)
            .send()
            .get(10, TimeUnit.SECONDS);

        assertThat(received.poll(10, TimeUnit.SECONDS))
            .as("round %d", round)
            .isEqualTo(device.controlTopic() + " command " + round);
        assertThat(fixture.presence.take()).isEqualTo(device.hex() + " fresh-v5-" + round);
        client.disconnect().get(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aCommandPublishedFromThePresenceCallback_reachesFreshMqtt311Clients() throws Exception {
    try (BrokerFixture fixture =
        new BrokerFixture(directory, Access.OPEN, new InMemoryDirectory()).start()) {
      for (int round = 0; round < ROUNDS; round++) {
        Device device = fixture.devices.add("v3-" + round);
        publishOnPresence(fixture, device, "command " + round);
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        Mqtt3AsyncClient client =
            fixture.track(fixture.v3("fresh-v3-" + round).buildAsync(), received);
        client.connectWith().cleanSession(true).send().get(10, TimeUnit.SECONDS);
        client
            .subscribeWith()
            .topicFilter(device.controlTopic())
            .qos(MqttQos.EXACTLY_ONCE)
            .send()
            .get(10, TimeUnit.SECONDS);

        assertThat(received.poll(10, TimeUnit.SECONDS))
            .as("round %d", round)
            .isEqualTo(device.controlTopic() + " command " + round);
        client.disconnect().get(10, TimeUnit.SECONDS);
      }
      assertThat(fixture.presence).hasSize(ROUNDS);
    }
  }

  /**
   * Debian's mosquitto_sub sends SUBSCRIBE right after CONNECT, before the CONNACK (MQTT 3.1.1
   * §3.1.4 allows it): the broker holds it until the connection is accepted, then subscribes.
   */
  @Test
  void aCommandPublishedFromThePresenceCallback_reachesMosquittoSub() throws Exception {
    try (BrokerFixture fixture =
        new BrokerFixture(directory, Access.OPEN, new InMemoryDirectory()).start()) {
      for (String version : List.of("mqttv311", "mqttv5")) {
        for (int round = 0; round < ROUNDS / 2; round++) {
          Device device = fixture.devices.add(version + "-" + round);
          publishOnPresence(fixture, device, "command-" + version + "-" + round);
          Process sub =
              new ProcessBuilder(
                      MOSQUITTO_SUB,
                      "-h",
                      "127.0.0.1",
                      "-p",
                      Integer.toString(fixture.broker.port()),
                      "-V",
                      version,
                      "-i",
                      "mosquitto-" + version + "-" + round,
                      "-q",
                      "2",
                      "-t",
                      device.controlTopic(),
                      "-C",
                      "1",
                      "-W",
                      "10")
                  .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                  .redirectErrorStream(true)
                  .start();
          assertThat(sub.waitFor(20, TimeUnit.SECONDS)).as("mosquitto_sub ended").isTrue();
          String output = new String(sub.getInputStream().readAllBytes(), UTF_8).strip();
          assertThat(output)
              .as("%s round %d", version, round)
              .isEqualTo("command-" + version + "-" + round);
          assertThat(sub.exitValue()).isZero();
        }
      }
    }
  }

  /**
   * A persistent session subscribed at QoS 2 goes away; C2 publishes; the broker stops and starts
   * again on the same directory; the client comes back to its session and gets the queued message,
   * and C2 hears that the device is back.
   */
  @Test
  void aMessageQueuedForAnAbsentPersistentSession_survivesABrokerRestart() throws Exception {
    BrokerFixture fixture = new BrokerFixture(directory, Access.OPEN, new InMemoryDirectory());
    try {
      fixture.start();
      Device v5 = fixture.devices.add("persistent-v5");
      Device v3 = fixture.devices.add("persistent-v3");
      Mqtt5AsyncClient first5 = fixture.v5("persistent-v5").buildAsync();
      first5
          .connectWith()
          .cleanStart(false)
          .sessionExpiryInterval(3600)
          .send()
          .get(10, TimeUnit.SECONDS);
      first5
          .subscribeWith()
          .topicFilter(v5.controlTopic())
          .qos(MqttQos.EXACTLY_ONCE)
          .send()
          .get(10, TimeUnit.SECONDS);
      first5.disconnect().get(10, TimeUnit.SECONDS);
      Mqtt3AsyncClient first3 = fixture.v3("persistent-v3").buildAsync();
      first3.connectWith().cleanSession(false).send().get(10, TimeUnit.SECONDS);
      first3
          .subscribeWith()
          .topicFilter(v3.controlTopic())
          .qos(MqttQos.EXACTLY_ONCE)
          .send()
          .get(10, TimeUnit.SECONDS);
      first3.disconnect().get(10, TimeUnit.SECONDS);
      fixture.presence.clear();

      fixture.c2Publishes(v5.controlTopic(), "queued while away");
      fixture.c2Publishes(v3.controlTopic(), "queued while away");
      fixture.stopBroker();
      fixture.start();
      publishOnPresence(fixture, v5, "published on return");
      publishOnPresence(fixture, v3, "published on return");

      BlockingQueue<String> received5 = new LinkedBlockingQueue<>();
      Mqtt5AsyncClient again5 = fixture.track(fixture.v5("persistent-v5").buildAsync(), received5);
      assertThat(
              again5
                  .connectWith()
                  .cleanStart(false)
                  .sessionExpiryInterval(3600)
                  .send()
                  .get(10, TimeUnit.SECONDS)
                  .isSessionPresent())
          .isTrue();
      BlockingQueue<String> received3 = new LinkedBlockingQueue<>();
      Mqtt3AsyncClient again3 = fixture.track(fixture.v3("persistent-v3").buildAsync(), received3);
      assertThat(
              again3
                  .connectWith()
                  .cleanSession(false)
                  .send()
                  .get(10, TimeUnit.SECONDS)
                  .isSessionPresent())
          .isTrue();

      List<String> five = new ArrayList<>();
      List<String> three = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        five.add(received5.poll(10, TimeUnit.SECONDS));
        three.add(received3.poll(10, TimeUnit.SECONDS));
      }
      assertThat(five)
          .containsExactly(
              v5.controlTopic() + " queued while away", v5.controlTopic() + " published on return");
      assertThat(three)
          .containsExactly(
              v3.controlTopic() + " queued while away", v3.controlTopic() + " published on return");
      assertThat(List.of(fixture.presence.take(), fixture.presence.take()))
          .containsExactlyInAnyOrder(v5.hex() + " persistent-v5", v3.hex() + " persistent-v3");
    } finally {
      fixture.close();
    }
  }
}
