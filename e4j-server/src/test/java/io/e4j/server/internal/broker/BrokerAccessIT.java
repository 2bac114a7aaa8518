package io.e4j.server.internal.broker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubRecException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.e4j.server.C2Config.EmbeddedMqtt.Access;
import io.e4j.server.internal.broker.InMemoryDirectory.Device;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The embedded broker's access control with real MQTT clients: C2's identity and control topics are
 * C2's in both modes; in {@code devices} mode, clients log in as devices and use their own control
 * topic and the topics they are linked to, following C2's changes while connected.
 */
class BrokerAccessIT {
  @TempDir Path directory;

  private final InMemoryDirectory devices = new InMemoryDirectory();
  private final Device alice = devices.add("alice");
  private final Device bob = devices.add("bob");

  private static <T> T get(CompletableFuture<T> future) throws Exception {
    return future.get(10, TimeUnit.SECONDS);
  }

  private static Throwable failure(CompletableFuture<?> future) {
    try {
      future.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a refusal, got success");
  }

  private Mqtt5ClientBuilder as(BrokerFixture fixture, Device device, String clientId) {
    return fixture
        .v5(clientId)
        .simpleAuth()
        .username(device.name())
        .password(device.credential())
        .applySimpleAuth();
  }

  private static Mqtt5SubAckReasonCode subscribe(Mqtt5AsyncClient client, String filter) {
    CompletableFuture<com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck> suback =
        client.subscribeWith().topicFilter(filter).qos(MqttQos.EXACTLY_ONCE).send();
    try {
      return suback.get(10, TimeUnit.SECONDS).getReasonCodes().get(0);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Mqtt5SubAckException refused) {
        return refused.getMqttMessage().getReasonCodes().get(0);
      }
      throw new AssertionError(e);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @ParameterizedTest
  @EnumSource(Access.class)
  void nobodyConnectsAsC2_andC2StaysConnected(Access access) throws Exception {
    try (BrokerFixture fixture = new BrokerFixture(directory, access, devices).start()) {
      Throwable anonymous = failure(fixture.v5("e4j-c2").buildAsync().connect());
      assertThat(((Mqtt5ConnAckException) anonymous).getMqttMessage().getReasonCode())
          .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
      Throwable guessing =
          failure(
              fixture
                  .v5("e4j-c2")
                  .simpleAuth()
                  .username("e4j-c2")
                  .password("guess".getBytes(UTF_8))
                  .applySimpleAuth()
                  .buildAsync()
                  .connect());
      assertThat(((Mqtt5ConnAckException) guessing).getMqttMessage().getReasonCode())
          .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
      Throwable asDevice = failure(as(fixture, alice, "e4j-c2").buildAsync().connect());
      assertThat(((Mqtt5ConnAckException) asDevice).getMqttMessage().getReasonCode())
          .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
      Throwable v3 = failure(fixture.v3("e4j-c2").buildAsync().connect());
      assertThat(((Mqtt3ConnAckException) v3).getMqttMessage().getReturnCode())
          .isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);

      // A refused CONNECT takes nothing over: C2's own session never dropped.
      fixture.c2Publishes(alice.controlTopic(), "still C2");
      assertThat(fixture.c2.isConnected()).isTrue();
      assertThat(fixture.c2Lost).hasValue(0);
    }
  }

  @ParameterizedTest
  @EnumSource(Access.class)
  void nobodyButC2PublishesOnControlTopics_andNothingThere_isRetained(Access access)
      throws Exception {
    devices.link(bob, "sensors/t");
    try (BrokerFixture fixture = new BrokerFixture(directory, access, devices).start()) {
      BlockingQueue<String> received = new LinkedBlockingQueue<>();
      Mqtt5AsyncClient subscriber =
          fixture.track(as(fixture, alice, "alice-1").buildAsync(), received);
      get(subscriber.connect());
      assertThat(subscribe(subscriber, alice.controlTopic()))
          .isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_2);

      // Another device (devices mode) or anyone (open mode), and the device itself.
      for (Device attacker : new Device[] {bob, alice}) {
        for (boolean retain : new boolean[] {false, true}) {
          Mqtt5AsyncClient client =
              as(fixture, attacker, "attacker-" + attacker.name()).buildAsync();
          get(client.connect());
          Throwable refused =
              failure(
                  client
                      .publishWith()
                      .topic(alice.controlTopic())
                      .qos(MqttQos.AT_LEAST_ONCE)
                      .retain(retain)
                      .payload("forged".getBytes(UTF_8))
                      .send());
          assertThat(((Mqtt5PubAckException) refused).getMqttMessage().getReasonCode())
              .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
          await().atMost(Duration.ofSeconds(10)).until(() -> !client.getState().isConnected());
        }
      }
      Mqtt3AsyncClient v3 =
          fixture
              .v3("attacker-v3")
              .simpleAuth()
              .username("bob")
              .password(bob.credential())
              .applySimpleAuth()
              .buildAsync();
      get(v3.connect());
      // MQTT 3.1.1 has no refusal for a publish: HiveMQ closes the connection.
      assertThat(
              failure(
                  v3.publishWith()
                      .topic(alice.controlTopic())
                      .qos(MqttQos.AT_LEAST_ONCE)
                      .payload("forged".getBytes(UTF_8))
                      .send()))
          .isNotNull();

      // Nor as a will: the CONNECT carrying it is refused.
      Throwable will =
          failure(
              as(fixture, bob, "with-a-will")
                  .willPublish()
                  .topic(alice.controlTopic())
                  .payload("forged".getBytes(UTF_8))
                  .qos(MqttQos.AT_LEAST_ONCE)
                  .applyWillPublish()
                  .buildAsync()
                  .connect());
      assertThat(reason5(will)).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);

      // C2 itself may not retain a command. (MqttConnection passes the HiveMQ client's refusal
      // through as it is.)
      Throwable retained =
          failure(fixture.c2.publish(alice.controlTopic(), "kept".getBytes(UTF_8), 2, true));
      assertThat(refusal(retained)).isEqualTo("NOT_AUTHORIZED");
      // HiveMQ disconnects a client whose publish it refuses. MqttConnection's automatic
      // reconnection sends no credentials (the HiveMQ client's reconnect drops the CONNECT's
      // simple auth), so C2 connects afresh here.
      fixture.c2.disconnect().exceptionally(e -> null);
      fixture.c2 = fixture.c2Connection(fixture.broker.c2Login().password());
      get(fixture.c2.connect());

      fixture.c2Publishes(alice.controlTopic(), "from C2");
      assertThat(received.poll(10, TimeUnit.SECONDS))
          .as("the first message on the control topic is C2's")
          .isEqualTo(alice.controlTopic() + " from C2");
      // A new subscriber finds nothing retained.
      BlockingQueue<String> late = new LinkedBlockingQueue<>();
      Mqtt5AsyncClient newcomer = fixture.track(as(fixture, alice, "alice-2").buildAsync(), late);
      get(newcomer.connect());
      subscribe(newcomer, alice.controlTopic());
      assertThat(late.poll(1, TimeUnit.SECONDS)).isNull();
      assertThat(received).isEmpty();
    }
  }

  @Test
  void devices_withoutCredentials_nobodyConnects_andWrongOnes_areBadCredentials() throws Exception {
    try (BrokerFixture fixture = new BrokerFixture(directory, Access.DEVICES, devices).start()) {
      assertThat(reason5(failure(fixture.v5("x").buildAsync().connect())))
          .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
      assertThat(
              reason5(
                  failure(
                      fixture
                          .v5("x")
                          .simpleAuth()
                          .username("alice")
                          .password(bob.credential())
                          .applySimpleAuth()
                          .buildAsync()
                          .connect())))
          .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
      assertThat(
              reason5(
                  failure(
                      fixture
                          .v5("x")
                          .simpleAuth()
                          .username("carol")
                          .password(bob.credential())
                          .applySimpleAuth()
                          .buildAsync()
                          .connect())))
          .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
      assertThat(reason3(failure(fixture.v3("x").buildAsync().connect())))
          .isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
      assertThat(
              reason3(
                  failure(
                      fixture
                          .v3("x")
                          .simpleAuth()
                          .username("alice")
                          .password("wrong".getBytes(UTF_8))
                          .applySimpleAuth()
                          .buildAsync()
                          .connect())))
          .isEqualTo(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD);

      // The name and the hex ID both log in.
      Mqtt5AsyncClient byName = as(fixture, alice, "by-name").buildAsync();
      get(byName.connect());
      Mqtt5AsyncClient byHex =
          fixture
              .v5("by-hex")
              .simpleAuth()
              .username(alice.hex())
              .password(alice.credential())
              .applySimpleAuth()
              .buildAsync();
      get(byHex.connect());
      get(byName.disconnect());
      get(byHex.disconnect());
    }
  }

  /** The reason code of a refused publish, however the client wrapped it. */
  private static String refusal(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof Mqtt5PubRecException pubrec) {
        return pubrec.getMqttMessage().getReasonCode().name();
      }
      if (cause instanceof Mqtt5PubAckException puback) {
        return puback.getMqttMessage().getReasonCode().name();
      }
    }
    throw new AssertionError("not a refusal", failure);
  }

  private static Mqtt5ConnAckReasonCode reason5(Throwable failure) {
    return ((Mqtt5ConnAckException) failure).getMqttMessage().getReasonCode();
  }

  private static Mqtt3ConnAckReturnCode reason3(Throwable failure) {
    return ((Mqtt3ConnAckException) failure).getMqttMessage().getReturnCode();
  }

  @Test
  void aDevice_subscribesToItsOwnControlTopicAndLinkedTopics_andToNothingElse() throws Exception {
    devices.link(alice, "sensors/t");
    try (BrokerFixture fixture = new BrokerFixture(directory, Access.DEVICES, devices).start()) {
      Mqtt5AsyncClient client = as(fixture, alice, "alice").buildAsync();
      get(client.connect());
      assertThat(subscribe(client, alice.controlTopic()))
          .isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_2);
      assertThat(subscribe(client, "sensors/t")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_2);
      assertThat(subscribe(client, bob.controlTopic()))
          .isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
      assertThat(subscribe(client, "sensors/u")).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
      assertThat(subscribe(client, "sensors/#"))
          .isEqualTo(Mqtt5SubAckReasonCode.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED);
      assertThat(subscribe(client, "$share/g/sensors/t"))
          .isEqualTo(Mqtt5SubAckReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED);
      assertThat(client.getState().isConnected()).isTrue();

      // MQTT 3.1.1: a refused subscription is a failure return code in the SUBACK.
      Mqtt3AsyncClient v3 =
          fixture
              .v3("alice-v3")
              .simpleAuth()
              .username("alice")
              .password(alice.credential())
              .applySimpleAuth()
              .buildAsync();
      get(v3.connect());
      Throwable refused =
          failure(
              v3.subscribeWith().topicFilter(bob.controlTopic()).qos(MqttQos.AT_LEAST_ONCE).send());
      assertThat(((Mqtt3SubAckException) refused).getMqttMessage().getReturnCodes())
          .containsExactly(Mqtt3SubAckReturnCode.FAILURE);
      assertThat(
              get(v3.subscribeWith().topicFilter("sensors/t").qos(MqttQos.AT_LEAST_ONCE).send())
                  .getReturnCodes())
          .containsExactly(Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_1);
      get(v3.disconnect());
      get(client.disconnect());
    }
  }

  @Test
  void anUnlinkedDevice_losesTheTopicWhileConnected_andALinkedOne_gainsIt() throws Exception {
    devices.link(alice, "sensors/t");
    devices.link(bob, "sensors/t");
    devices.link(bob, "sensors/v");
    try (BrokerFixture fixture = new BrokerFixture(directory, Access.DEVICES, devices).start()) {
      BlockingQueue<String> received = new LinkedBlockingQueue<>();
      Mqtt5AsyncClient a = fixture.track(as(fixture, alice, "alice").buildAsync(), received);
      get(a.connect());
      subscribe(a, alice.controlTopic());
      assertThat(subscribe(a, "sensors/t")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_2);
      assertThat(subscribe(a, "sensors/v")).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
      Mqtt5AsyncClient b = as(fixture, bob, "bob").buildAsync();
      get(b.connect());
      publish(b, "sensors/t", "one");
      assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("sensors/t one");

      devices.unlink(alice, "sensors/t");
      get(fixture.broker.accessChanges().unlinked(alice.id(), "sensors/t"));
      devices.link(alice, "sensors/v");
      get(fixture.broker.accessChanges().linked(alice.id(), "sensors/v"));

      publish(b, "sensors/t", "two");
      fixture.c2Publishes(alice.controlTopic(), "marker");
      assertThat(received.poll(10, TimeUnit.SECONDS))
          .as("nothing on the unlinked topic before C2's marker")
          .isEqualTo(alice.controlTopic() + " marker");
      assertThat(subscribe(a, "sensors/t")).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
      // Linked while connected: the refusal it remembered is gone.
      assertThat(subscribe(a, "sensors/v")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_2);
      publish(b, "sensors/v", "three");
      assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("sensors/v three");
      assertThat(a.getState().isConnected()).isTrue();
    }
  }

  /**
   * A removed topic names no device: every connected device loses its subscription there and its
   * remembered link, though each subscribed and published there already.
   */
  @Test
  void aRemovedTopic_isLostByEveryDevice_subscriptionsAndPublishesAlike() throws Exception {
    devices.link(alice, "sensors/t");
    devices.link(bob, "sensors/t");
    try (BrokerFixture fixture = new BrokerFixture(directory, Access.DEVICES, devices).start()) {
      BlockingQueue<String> aliceGot = new LinkedBlockingQueue<>();
      BlockingQueue<String> bobGot = new LinkedBlockingQueue<>();
      Mqtt5AsyncClient a = fixture.track(as(fixture, alice, "alice").buildAsync(), aliceGot);
      Mqtt5AsyncClient b = fixture.track(as(fixture, bob, "bob").buildAsync(), bobGot);
      get(a.connect());
      get(b.connect());
      subscribe(a, alice.controlTopic());
      subscribe(b, bob.controlTopic());
      assertThat(subscribe(a, "sensors/t")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_2);
      assertThat(subscribe(b, "sensors/t")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_2);
      publish(a, "sensors/t", "before");
      assertThat(aliceGot.poll(10, TimeUnit.SECONDS)).isEqualTo("sensors/t before");
      assertThat(bobGot.poll(10, TimeUnit.SECONDS)).isEqualTo("sensors/t before");

      devices.unlink(alice, "sensors/t");
      devices.unlink(bob, "sensors/t");
      get(fixture.broker.accessChanges().topicRemoved("sensors/t"));

      // C2 may still publish there (nobody else can): no device gets it.
      fixture.c2Publishes("sensors/t", "after");
      fixture.c2Publishes(alice.controlTopic(), "marker");
      fixture.c2Publishes(bob.controlTopic(), "marker");
      assertThat(aliceGot.poll(10, TimeUnit.SECONDS)).isEqualTo(alice.controlTopic() + " marker");
      assertThat(bobGot.poll(10, TimeUnit.SECONDS)).isEqualTo(bob.controlTopic() + " marker");
      assertThat(subscribe(a, "sensors/t")).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
      Throwable refused =
          failure(
              b.publishWith()
                  .topic("sensors/t")
                  .qos(MqttQos.AT_LEAST_ONCE)
                  .payload("after".getBytes(UTF_8))
                  .send());
      assertThat(((Mqtt5PubAckException) refused).getMqttMessage().getReasonCode())
          .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
      assertThat(aliceGot).isEmpty();
    }
  }

  /**
   * A device's persistent session holds a topic unlinked while the broker was down: the broker did
   * not see that client since it started, and drops the subscription when the device comes back.
   */
  @Test
  void aPersistentSession_losesTopicsUnlinkedWhileAway_atItsNextLogin() throws Exception {
    devices.link(alice, "sensors/t");
    devices.link(bob, "sensors/t");
    BrokerFixture fixture = new BrokerFixture(directory, Access.DEVICES, devices);
    try {
      fixture.start();
      Mqtt5AsyncClient away = as(fixture, alice, "alice-kept").buildAsync();
      get(away.connectWith().cleanStart(false).sessionExpiryInterval(3600).send());
      subscribe(away, alice.controlTopic());
      subscribe(away, "sensors/t");
      get(away.disconnect());
      fixture.stopBroker();
      devices.unlink(alice, "sensors/t");
      fixture.start();

      BlockingQueue<String> received = new LinkedBlockingQueue<>();
      Mqtt5AsyncClient back =
          fixture.track(as(fixture, alice, "alice-kept").buildAsync(), received);
      assertThat(
              get(back.connectWith().cleanStart(false).sessionExpiryInterval(3600).send())
                  .isSessionPresent())
          .isTrue();
      Mqtt5AsyncClient b = as(fixture, bob, "bob").buildAsync();
      get(b.connect());
      publish(b, "sensors/t", "after unlink");
      fixture.c2Publishes(alice.controlTopic(), "marker");
      assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo(alice.controlTopic() + " marker");
    } finally {
      fixture.close();
    }
  }

  @Test
  void aRemovedDevice_isDisconnected_andOneWithNewCredentials_too() throws Exception {
    try (BrokerFixture fixture = new BrokerFixture(directory, Access.DEVICES, devices).start()) {
      CompletableFuture<Throwable> aliceGone = new CompletableFuture<>();
      Mqtt5AsyncClient a =
          as(fixture, alice, "alice")
              .addDisconnectedListener(context -> aliceGone.complete(context.getCause()))
              .buildAsync();
      get(a.connect());
      CompletableFuture<Throwable> bobGone = new CompletableFuture<>();
      Mqtt5AsyncClient b =
          as(fixture, bob, "bob")
              .addDisconnectedListener(context -> bobGone.complete(context.getCause()))
              .buildAsync();
      get(b.connect());

      devices.remove(alice);
      get(fixture.broker.accessChanges().deviceRemoved(alice.id()));
      get(fixture.broker.accessChanges().credentialsChanged(bob.id()));

      for (Throwable cause : new Throwable[] {get(aliceGone), get(bobGone)}) {
        assertThat(((Mqtt5DisconnectException) cause).getMqttMessage().getReasonCode())
            .isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED);
      }
      assertThat(reason5(failure(as(fixture, alice, "alice").buildAsync().connect())))
          .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    }
  }

  @Test
  void aDevice_reportsOnItsOwnReportsTopic_whichC2Reads_butNotOnAnothers() throws Exception {
    try (BrokerFixture fixture = new BrokerFixture(directory, Access.DEVICES, devices).start()) {
      get(fixture.c2.subscribe("e4j/reports/+", 1));
      Mqtt5AsyncClient a = as(fixture, alice, "alice").buildAsync();
      get(a.connect());
      publish(a, "e4j/reports/" + alice.hex(), "state");
      assertThat(fixture.c2Received.poll(10, TimeUnit.SECONDS))
          .isEqualTo("e4j/reports/" + alice.hex() + " state");
      Throwable refused =
          failure(
              a.publishWith()
                  .topic("e4j/reports/" + bob.hex())
                  .qos(MqttQos.AT_LEAST_ONCE)
                  .payload("forged".getBytes(UTF_8))
                  .send());
      assertThat(((Mqtt5PubAckException) refused).getMqttMessage().getReasonCode())
          .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
    }
  }

  private static void publish(Mqtt5AsyncClient client, String topic, String payload)
      throws Exception {
    get(
        client
            .publishWith()
            .topic(topic)
            .qos(MqttQos.AT_LEAST_ONCE)
            .payload(payload.getBytes(UTF_8))
            .send());
  }
}
