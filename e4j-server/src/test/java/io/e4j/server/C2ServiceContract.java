package io.e4j.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.e4j.core.E4Client;
import io.e4j.core.Keys;
import io.e4j.mqtt.Mosquitto;
import io.e4j.server.Devices.Device;
import io.e4j.server.node.C2Server;
import java.nio.file.Path;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every C2 operation, in both modes, with real devices over a real Mosquitto. Subclasses choose the
 * database.
 */
abstract class C2ServiceContract {
  static Mosquitto broker;

  @TempDir static Path brokerDirectory;
  @TempDir Path dataDirectory;

  private C2Server server;
  private Devices devices;
  private C2Service c2;

  /** The database for the next server; an empty one for each test. */
  abstract C2Config.Database freshDatabase() throws Exception;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = Mosquitto.start(brokerDirectory);
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @AfterEach
  void stop() {
    if (devices != null) {
      devices.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private void start(CryptoMode mode) throws Exception {
    start(mode, C2Config.Delivery.defaults());
  }

  private void start(CryptoMode mode, C2Config.Delivery delivery) throws Exception {
    C2Config config =
        C2Config.defaults(dataDirectory)
            .withApi(C2Config.Api.disabled())
            .withMode(mode)
            .withDatabase(freshDatabase())
            .withBroker(C2Config.Mqtt.plain("127.0.0.1", broker.port()))
            .withDelivery(delivery);
    server = C2Server.start(config, Clock.systemUTC(), Map.of());
    c2 = server.service();
    devices = new Devices(c2, broker.port());
  }

  private static void awaitTrue(Supplier<Boolean> condition) {
    await().atMost(Devices.WAIT).until(condition::get);
  }

  @ParameterizedTest
  @EnumSource(CryptoMode.class)
  void referenceScenario_fourDevicesFourTopics(CryptoMode mode) throws Exception {
    start(mode);
    List<Device> fleet = devices.createAll("scenario-device-", 4);
    List<String> topics = List.of("scenario/a", "scenario/b", "scenario/c", "scenario/d");
    topics.forEach(c2::createTopic);
    assertThat(c2.deviceCount()).isEqualTo(4);
    assertThat(c2.topicCount()).isEqualTo(4);

    for (int i = 0; i < 4; i++) {
      c2.link(fleet.get(i).ref(), topics.get(i));
    }
    for (int i = 0; i < 4; i++) {
      Device device = fleet.get(i);
      String topic = topics.get(i);
      awaitTrue(() -> device.client.hasTopicKey(topic));
    }

    c2.unlink(fleet.get(0).ref(), topics.get(0));
    awaitTrue(() -> !fleet.get(0).client.hasTopicKey(topics.get(0)));
    assertThatThrownBy(() -> c2.unlink(fleet.get(0).ref(), topics.get(0)))
        .isInstanceOfSatisfying(
            C2Exception.class, e -> assertThat(e.reason()).isEqualTo(C2Exception.Reason.NOT_FOUND));

    assertThat(c2.topicCountOf(fleet.get(0).ref())).isZero();
    assertThat(c2.topicsOf(fleet.get(1).ref(), "", 10).items())
        .extracting(TopicInfo::name)
        .containsExactly("scenario/b");
    assertThat(c2.devicesOf("scenario/b", "", 10).items())
        .extracting(DeviceInfo::id)
        .containsExactly(hex(fleet.get(1).client.id()));
    assertThat(c2.deviceCountOf("scenario/a")).isZero();
    assertThat(c2.topics("", "", 10).items()).extracting(TopicInfo::name).isEqualTo(topics);

    c2.removeTopic("scenario/c");
    awaitTrue(() -> !fleet.get(2).client.hasTopicKey("scenario/c"));
    assertThat(c2.topicCount()).isEqualTo(3);
    assertThatThrownBy(() -> c2.removeTopic("scenario/c"))
        .isInstanceOfSatisfying(
            C2Exception.class, e -> assertThat(e.reason()).isEqualTo(C2Exception.Reason.NOT_FOUND));
  }

  @ParameterizedTest
  @EnumSource(CryptoMode.class)
  void linkedDevicesExchangeMessages(CryptoMode mode) throws Exception {
    start(mode);
    Device alice = devices.create("exchange-alice");
    Device bob = devices.create("exchange-bob");
    c2.createTopic("exchange/chat");
    c2.link(alice.ref(), "exchange/chat");
    c2.link(bob.ref(), "exchange/chat");
    if (mode == CryptoMode.PUBLIC_KEY) {
      c2.sendPublicKey(alice.ref(), bob.ref());
    }
    awaitTrue(() -> alice.client.hasTopicKey("exchange/chat") && bob.commandsAtLeast(mode, 1, 2));
    bob.subscribe("exchange/chat");

    alice.publish("exchange/chat", "hello bob".getBytes(UTF_8));

    awaitTrue(() -> bob.messages.size() == 1);
    assertThat(bob.messages.get(0).payload()).isEqualTo("hello bob".getBytes(UTF_8));
    assertThat(bob.messages.get(0).protectedByE4()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(CryptoMode.class)
  void rotatingATopicOfFiftyDevices_everyDeviceReadsUnderTheNewKey(CryptoMode mode)
      throws Exception {
    start(mode);
    c2.createTopic("fleet/telemetry");
    Device publisher = devices.create("rotation-publisher");
    c2.link(publisher.ref(), "fleet/telemetry");
    List<Device> fleet = devices.createAll("rotation-device-", 50);
    for (Device device : fleet) {
      c2.link(device.ref(), "fleet/telemetry");
      if (mode == CryptoMode.PUBLIC_KEY) {
        c2.sendPublicKey(publisher.ref(), device.ref());
      }
      device.subscribe("fleet/telemetry");
    }
    int before = mode == CryptoMode.PUBLIC_KEY ? 2 : 1;
    awaitTrue(() -> fleet.stream().allMatch(d -> d.commands.get() == before));

    TopicInfo rotated = c2.rotateTopicKey("fleet/telemetry");

    assertThat(rotated.keyVersion()).isEqualTo(2);
    awaitTrue(
        () ->
            publisher.commands.get() == 2
                && fleet.stream().allMatch(d -> d.commands.get() == before + 1));
    publisher.publish("fleet/telemetry", "after rotation".getBytes(UTF_8));
    awaitTrue(() -> fleet.stream().allMatch(d -> d.messages.size() == 1));
    assertThat(fleet).allSatisfy(d -> assertThat(d.rejections).isEmpty());
    assertThat(c2.deliveries(fleet.get(7).ref(), 10))
        .allSatisfy(delivery -> assertThat(Devices.taken(delivery)).isEqualTo(DeliveryStatus.SENT))
        .extracting(Delivery::command)
        .startsWith("SetTopicKey");
  }

  @ParameterizedTest
  @EnumSource(CryptoMode.class)
  void newDeviceKey_laterCommandsTravelUnderTheNewKey(CryptoMode mode) throws Exception {
    start(mode);
    Device device = devices.create("new-key-device");
    Device holder = devices.create("new-key-holder");
    c2.createTopic("new-key/topic");
    c2.link(device.ref(), "new-key/topic");
    c2.link(holder.ref(), "new-key/topic");
    if (mode == CryptoMode.PUBLIC_KEY) {
      c2.sendPublicKey(device.ref(), holder.ref());
    }
    awaitTrue(() -> device.commands.get() == 1 && holder.commandsAtLeast(mode, 1, 2));

    c2.newDeviceKey(device.ref());
    c2.createTopic("new-key/second");
    c2.link(device.ref(), "new-key/second");

    awaitTrue(() -> device.client.hasTopicKey("new-key/second"));
    assertThat(device.commands.get()).isEqualTo(3);
    if (mode == CryptoMode.PUBLIC_KEY) {
      // The holder learnt the device's new public key: it accepts what the device now signs.
      awaitTrue(() -> holder.commands.get() == 3);
      holder.subscribe("new-key/topic");
      device.publish("new-key/topic", "signed with the new key".getBytes(UTF_8));
      awaitTrue(() -> holder.messages.size() == 1);
      assertThat(holder.rejections).isEmpty();
      assertThat(c2.device(device.ref()).publicKey()).contains(hex(device.client.publicKey()));
    }
  }

  @Test
  void publicKeyDistribution() throws Exception {
    start(CryptoMode.PUBLIC_KEY);
    Device holder = devices.create("pk-holder");
    Device first = devices.create("pk-first");
    Device second = devices.create("pk-second");

    c2.sendPublicKey(first.ref(), holder.ref());
    c2.sendPublicKey(second.ref(), holder.ref());
    awaitTrue(() -> holder.client.publicKeyIds().size() == 2);
    assertThat(c2.publicKeysHeldBy(holder.ref(), "", 10).items()).hasSize(2);

    c2.removePublicKey(first.ref(), holder.ref());
    awaitTrue(() -> holder.client.publicKeyIds().size() == 1);
    assertThat(holder.client.publicKeyIds().get(0)).isEqualTo(second.client.id());
    assertThatThrownBy(() -> c2.removePublicKey(first.ref(), holder.ref()))
        .isInstanceOfSatisfying(
            C2Exception.class, e -> assertThat(e.reason()).isEqualTo(C2Exception.Reason.NOT_FOUND));

    c2.sendPublicKey(first.ref(), holder.ref());
    awaitTrue(() -> holder.client.publicKeyIds().size() == 2);
    c2.resetPublicKeys(holder.ref());
    awaitTrue(() -> holder.client.publicKeyIds().isEmpty());

    // Removing a device tells the devices that hold its public key.
    c2.sendPublicKey(second.ref(), holder.ref());
    awaitTrue(() -> holder.client.publicKeyIds().size() == 1);
    c2.removeDevice(second.ref());
    awaitTrue(() -> holder.client.publicKeyIds().isEmpty());
    assertThat(c2.deviceCount()).isEqualTo(2);
  }

  @Test
  void newC2Key_twoHundredFiftyDevicesAllFollow() throws Exception {
    start(CryptoMode.PUBLIC_KEY);
    byte[] oldC2Key = c2.c2PublicKey();
    List<Device> fleet = devices.createAll("c2-key-device-", 250);

    c2.newC2Key();

    assertThat(c2.c2PublicKey()).isNotEqualTo(oldC2Key);
    awaitTrue(() -> fleet.stream().allMatch(d -> d.commands.get() == 1));
    // Only a device that took the new C2 key can open what C2 now sends.
    c2.createTopic("after/c2-key");
    for (Device device : fleet) {
      c2.link(device.ref(), "after/c2-key");
    }
    awaitTrue(() -> fleet.stream().allMatch(d -> d.client.hasTopicKey("after/c2-key")));
    assertThat(fleet).allSatisfy(d -> assertThat(d.rejections).isEmpty());
  }

  @Test
  void newC2KeyBeforeARotationReachesTheDevices_theyGetItUnderTheOldOne() throws Exception {
    // Five commands a second: C2's key changes while the rotation has yet to reach most devices.
    start(CryptoMode.PUBLIC_KEY, C2Config.Delivery.defaults().withRatePerSecond(5));
    Device publisher = devices.create("c2-rekeyed-publisher");
    List<Device> fleet =
        linkedFleet(CryptoMode.PUBLIC_KEY, "c2-rekeyed/rotated", publisher, "c2-rekeyed-", 4);

    c2.rotateTopicKey("c2-rekeyed/rotated");
    c2.newC2Key();
    c2.createTopic("c2-rekeyed/after");
    fleet.forEach(device -> c2.link(device.ref(), "c2-rekeyed/after"));

    awaitTrue(() -> c2.undeliveredCount() == 0);
    awaitTrue(() -> fleet.stream().allMatch(d -> d.commands.get() == 5));
    assertThat(fleet).allSatisfy(d -> assertThat(d.rejections).isEmpty());
    assertThat(fleet)
        .allSatisfy(d -> assertThat(d.client.hasTopicKey("c2-rekeyed/after")).isTrue());
    for (Device device : fleet) {
      device.subscribe("c2-rekeyed/rotated");
    }
    publisher.publish("c2-rekeyed/rotated", "under the rotated key".getBytes(UTF_8));
    awaitTrue(() -> fleet.stream().allMatch(d -> d.messages.size() == 1));
    assertThat(fleet).allSatisfy(d -> assertThat(d.rejections).isEmpty());
  }

  @ParameterizedTest
  @EnumSource(CryptoMode.class)
  void offlineDeviceWithPersistentSession_getsTheNewKeyWhenItReconnects(CryptoMode mode)
      throws Exception {
    start(mode);
    E4Client client = devices.provision("offline-device-" + mode);
    Device device = devices.connect(client, false);
    c2.createTopic("offline/topic");
    c2.link(device.ref(), "offline/topic");
    awaitTrue(() -> device.commands.get() == 1);
    device.mqtt.disconnect().join();

    c2.rotateTopicKey("offline/topic");
    c2.createTopic("offline/second");
    c2.link(device.ref(), "offline/second");
    awaitTrue(() -> c2.undeliveredCount() == 0);
    assertThat(device.commands.get()).isEqualTo(1);

    device.mqtt.connect().join();

    awaitTrue(() -> device.commands.get() == 3);
    assertThat(device.client.hasTopicKey("offline/second")).isTrue();
  }

  @ParameterizedTest
  @EnumSource(CryptoMode.class)
  void resync_bringsBackADeviceThatLostItsState(CryptoMode mode) throws Exception {
    start(mode);
    Device device = devices.create("resync-device");
    Device peer = devices.create("resync-peer");
    c2.createTopic("resync/a");
    c2.createTopic("resync/b");
    c2.link(device.ref(), "resync/a");
    c2.link(device.ref(), "resync/b");
    int expected = 2;
    if (mode == CryptoMode.PUBLIC_KEY) {
      c2.sendPublicKey(peer.ref(), device.ref());
      expected = 3;
    }
    int before = expected;
    awaitTrue(() -> device.commands.get() == before);
    device.client.removeTopicKey("resync/a");
    device.client.removeTopicKey("resync/b");
    device.client.setTopicKey("resync/stale", Keys.randomKey());

    c2.resyncDevice(device.ref());

    awaitTrue(
        () ->
            device.client.hasTopicKey("resync/a")
                && device.client.hasTopicKey("resync/b")
                && !device.client.hasTopicKey("resync/stale"));
    if (mode == CryptoMode.PUBLIC_KEY) {
      awaitTrue(() -> device.client.publicKeyIds().size() == 1);
    }
  }

  @ParameterizedTest
  @EnumSource(CryptoMode.class)
  void operationsRacingOnTheSameDevices_reachThemInCommitOrder(CryptoMode mode) throws Exception {
    start(mode);
    c2.createTopic("race/rotated");
    c2.createTopic("race/linked");
    Device publisher = devices.create("race-publisher");
    c2.link(publisher.ref(), "race/rotated");
    List<Device> racers = devices.createAll("race-device-", 8);
    for (Device device : racers) {
      c2.link(device.ref(), "race/rotated");
      if (mode == CryptoMode.PUBLIC_KEY) {
        c2.sendPublicKey(publisher.ref(), device.ref());
      }
      device.subscribe("race/rotated");
    }

    // Rotations (fan-outs), new device keys (which re-protect every later command) and links
    // committed side by side: a command protected under a key its device does not have yet, or
    // overtaken by a later one, would be rejected or leave the device with a stale key.
    CountDownLatch go = new CountDownLatch(1);
    List<Runnable> work =
        List.of(
            () -> repeat(12, () -> c2.rotateTopicKey("race/rotated")),
            () -> repeat(3, () -> racers.forEach(d -> c2.newDeviceKey(d.ref()))),
            () ->
                repeat(
                    3,
                    () ->
                        racers.forEach(
                            d -> {
                              c2.link(d.ref(), "race/linked");
                              c2.unlink(d.ref(), "race/linked");
                              c2.link(d.ref(), "race/linked");
                            })));
    ExecutorService threads = Executors.newFixedThreadPool(work.size());
    try {
      List<Future<?>> running =
          work.stream()
              .map(
                  task ->
                      threads.submit(
                          () -> {
                            go.await();
                            task.run();
                            return null;
                          }))
              .collect(Collectors.toList());
      go.countDown();
      for (Future<?> task : running) {
        task.get(Devices.WAIT.toSeconds(), TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }

    awaitTrue(() -> c2.undeliveredCount() == 0);
    for (Device device : racers) {
      long delivered = c2.deliveries(device.ref(), 1_000).size();
      awaitTrue(() -> device.commands.get() == delivered);
    }
    assertThat(racers).allSatisfy(d -> assertThat(d.rejections).isEmpty());
    assertThat(racers).allSatisfy(d -> assertThat(d.client.hasTopicKey("race/linked")).isTrue());
    publisher.publish("race/rotated", "after the race".getBytes(UTF_8));
    awaitTrue(() -> racers.stream().allMatch(d -> d.messages.size() == 1));
    assertThat(racers).allSatisfy(d -> assertThat(d.rejections).isEmpty());
  }

  @ParameterizedTest
  @EnumSource(CryptoMode.class)
  void rotationBehindUndeliveredCommands_reachesTheDeviceAfterThem(CryptoMode mode)
      throws Exception {
    // Five commands a second: the device's commands are still queued when the rotation walks past
    // it, so the rotation must wait for them. Overtaken, it would be undone: the RemoveTopic after
    // it would drop the new key, and the device would end with the older one only.
    start(mode, C2Config.Delivery.defaults().withRatePerSecond(5));
    c2.createTopic("behind/rotated");
    Device publisher = devices.create("behind-publisher");
    Device device = devices.create("behind-device");
    c2.link(publisher.ref(), "behind/rotated");
    if (mode == CryptoMode.PUBLIC_KEY) {
      c2.sendPublicKey(publisher.ref(), device.ref());
    }
    awaitTrue(() -> c2.undeliveredCount() == 0);

    for (String other : List.of("behind/a", "behind/b", "behind/c")) {
      c2.createTopic(other);
      c2.link(device.ref(), other);
    }
    c2.link(device.ref(), "behind/rotated");
    c2.unlink(device.ref(), "behind/rotated");
    c2.link(device.ref(), "behind/rotated");
    c2.rotateTopicKey("behind/rotated");

    awaitTrue(() -> c2.undeliveredCount() == 0);
    int expected = mode == CryptoMode.PUBLIC_KEY ? 8 : 7;
    awaitTrue(() -> device.commands.get() == expected);
    device.subscribe("behind/rotated");
    publisher.publish("behind/rotated", "under the rotated key".getBytes(UTF_8));
    awaitTrue(() -> device.messages.size() == 1);
    assertThat(device.rejections).isEmpty();
    assertThat(c2.deliveries(device.ref(), 10))
        .extracting(Delivery::command, Devices::taken)
        .first()
        .isEqualTo(org.assertj.core.groups.Tuple.tuple("SetTopicKey", DeliveryStatus.SENT));
  }

  @ParameterizedTest
  @EnumSource(CryptoMode.class)
  void newDeviceKeysBeforeARotationReachesTheDevices_theyGetItUnderTheirOldKeys(CryptoMode mode)
      throws Exception {
    // Five commands a second: most devices get their new key while the rotation has yet to reach
    // them. Each must get the rotation under the key it has then, and its new key after.
    start(mode, C2Config.Delivery.defaults().withRatePerSecond(5));
    Device publisher = devices.create("rekeyed-publisher");
    List<Device> fleet = linkedFleet(mode, "rekeyed/rotated", publisher, "rekeyed-", 6);
    int before = mode == CryptoMode.PUBLIC_KEY ? 2 : 1;

    c2.rotateTopicKey("rekeyed/rotated");
    fleet.forEach(device -> c2.newDeviceKey(device.ref()));
    c2.createTopic("rekeyed/after");
    fleet.forEach(device -> c2.link(device.ref(), "rekeyed/after"));

    awaitTrue(() -> c2.undeliveredCount() == 0);
    awaitTrue(() -> fleet.stream().allMatch(d -> d.commands.get() == before + 3));
    assertThat(fleet).allSatisfy(d -> assertThat(d.rejections).isEmpty());
    assertThat(fleet).allSatisfy(d -> assertThat(d.client.hasTopicKey("rekeyed/after")).isTrue());
    for (Device device : fleet) {
      device.subscribe("rekeyed/rotated");
    }
    publisher.publish("rekeyed/rotated", "under the rotated key".getBytes(UTF_8));
    awaitTrue(() -> fleet.stream().allMatch(d -> d.messages.size() == 1));
    assertThat(fleet).allSatisfy(d -> assertThat(d.rejections).isEmpty());
  }

  /**
   * {@code count} devices linked to a new {@code topic} with {@code publisher}, which (in PK mode)
   * they hold the public key of; returned once they have applied those commands.
   */
  private List<Device> linkedFleet(
      CryptoMode mode, String topic, Device publisher, String namePrefix, int count)
      throws Exception {
    c2.createTopic(topic);
    List<Device> fleet = devices.createAll(namePrefix, count);
    c2.link(publisher.ref(), topic);
    for (Device device : fleet) {
      c2.link(device.ref(), topic);
      if (mode == CryptoMode.PUBLIC_KEY) {
        c2.sendPublicKey(publisher.ref(), device.ref());
      }
    }
    awaitTrue(() -> c2.undeliveredCount() == 0);
    int applied = mode == CryptoMode.PUBLIC_KEY ? 2 : 1;
    awaitTrue(() -> fleet.stream().allMatch(d -> d.commands.get() == applied));
    return fleet;
  }

  private static void repeat(int times, Runnable operation) {
    for (int i = 0; i < times; i++) {
      operation.run();
    }
  }

  @Test
  void everyChangeIsAnEvent_everyDeliveryToo_andEveryCallIsAudited() throws Exception {
    start(CryptoMode.SYMMETRIC_KEY);
    List<Device> fleet = devices.createAll("journal-", 3);
    c2.createTopic("journal/topic");
    c2.linkAll(
        List.of(fleet.get(0).ref(), DeviceRef.name("journal-nobody"), fleet.get(1).ref()),
        "journal/topic");
    c2.rotateTopicKey("journal/topic");
    c2.unlink(fleet.get(1).ref(), "journal/topic");
    assertThatThrownBy(() -> c2.unlink(fleet.get(1).ref(), "journal/topic"))
        .isInstanceOf(C2Exception.class);
    awaitTrue(() -> c2.undeliveredCount() == 0);
    awaitTrue(
        () ->
            c2.events(0, 1_000).stream()
                .anyMatch(e -> e.type() == EventType.COMMAND_SENT && e.topic().isPresent()));

    List<C2Event> events = c2.events(0, 1_000);
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).sequence()).isEqualTo(i + 1);
    }
    assertThat(c2.lastEventSequence()).isEqualTo(events.size());
    assertThat(
            events.stream()
                .filter(e -> e.type() != EventType.COMMAND_SENT)
                .filter(e -> e.type() != EventType.DEVICE_CONFIRMED)
                .filter(e -> !e.actor().equals(Optional.of("c2")))
                .map(e -> e.type() + " " + e.deviceName().or(e::topic).orElse("")))
        .containsExactly(
            "DEVICE_CREATED journal-0",
            "DEVICE_CREATED journal-1",
            "DEVICE_CREATED journal-2",
            "TOPIC_CREATED journal/topic",
            "LINKED journal-0",
            "LINKED journal-1",
            "TOPIC_ROTATED journal/topic",
            "UNLINKED journal-1");
    assertThat(events)
        .filteredOn(e -> e.type() == EventType.COMMAND_SENT && e.deviceId().isPresent())
        .extracting(e -> e.command().orElseThrow())
        .contains("SetTopicKey", "RemoveTopic")
        .containsOnly("SetTopicKey", "RemoveTopic");
    // The rotation's own event; devices it reached through an outbox row (their link's command
    // was still undelivered) have theirs above.
    assertThat(events)
        .filteredOn(e -> e.type() == EventType.COMMAND_SENT && e.topic().isPresent())
        .singleElement()
        .satisfies(rotation -> assertThat(rotation.command()).contains("SetTopicKey"));
    assertThat(events)
        .allSatisfy(
            e ->
                assertThat(e.actor())
                    .isIn(Optional.of("local"), Optional.of("c2"), Optional.empty()));

    List<AuditRecord> audit = c2.audit(0, 100, Optional.empty());
    assertThat(audit.get(0).action()).isEqualTo("Unlink");
    assertThat(audit.get(0).outcome()).isEqualTo("NOT_FOUND");
    assertThat(audit.get(1).action()).isEqualTo("Unlink");
    assertThat(audit.get(1).outcome()).isEqualTo("OK");
    assertThat(audit.get(1).target())
        .as("the device as the call named it")
        .isEqualTo("id:" + hex(fleet.get(1).client.id()) + " -> journal/topic");
    assertThat(audit)
        .extracting(AuditRecord::action)
        .containsSubsequence("RotateTopic", "LinkDevices", "CreateTopic", "CreateDevice");
    assertThat(c2.audit(audit.get(1).id(), 1, Optional.of("local")))
        .singleElement()
        .satisfies(record -> assertThat(record.action()).isEqualTo("RotateTopic"));
  }

  @ParameterizedTest
  @EnumSource(CryptoMode.class)
  void resetDevice_forgetsEveryTopic(CryptoMode mode) throws Exception {
    start(mode);
    Device device = devices.create("reset-device");
    c2.createTopic("reset/a");
    c2.createTopic("reset/b");
    c2.link(device.ref(), "reset/a");
    c2.link(device.ref(), "reset/b");
    awaitTrue(() -> device.client.hasTopicKey("reset/b"));

    c2.resetDevice(device.ref());

    awaitTrue(() -> !device.client.hasTopicKey("reset/a") && !device.client.hasTopicKey("reset/b"));
    assertThat(c2.topicCountOf(device.ref())).isZero();
  }

  @ParameterizedTest
  @EnumSource(CryptoMode.class)
  void devicesAndTopics_errorsAndListings(CryptoMode mode) throws Exception {
    start(mode);
    DeviceCredential credential =
        mode == CryptoMode.SYMMETRIC_KEY
            ? new DeviceCredential.SymmetricKey(Keys.randomKey())
            : new DeviceCredential.PublicKey(Keys.ed25519Public(Keys.newEd25519()));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      String name = (i % 2 == 0 ? "even-" : "odd-") + i;
      ids.add(c2.createDevice(NewDevice.of(DeviceRef.name(name), credential)).device().id());
    }
    assertThatThrownBy(() -> c2.createDevice(NewDevice.of(DeviceRef.name("even-0"), credential)))
        .isInstanceOfSatisfying(
            C2Exception.class,
            e -> assertThat(e.reason()).isEqualTo(C2Exception.Reason.ALREADY_EXISTS));
    assertThat(
            c2.createDevice(NewDevice.of(DeviceRef.name("even-0"), credential).replacing())
                .device()
                .name())
        .contains("even-0");
    assertThatThrownBy(
            () ->
                c2.createDevice(
                    NewDevice.of(DeviceRef.idAndName(new byte[16], "odd-1"), credential)))
        .isInstanceOfSatisfying(
            C2Exception.class,
            e -> assertThat(e.reason()).isEqualTo(C2Exception.Reason.ALREADY_EXISTS));

    List<String> unnamed = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      unnamed.add(
          c2.createDevice(
                  NewDevice.of(
                      DeviceRef.id(java.util.Arrays.copyOf(Keys.randomKey(), 16)), credential))
              .device()
              .id());
    }
    unnamed.sort(null);
    List<String> listed = new ArrayList<>();
    Optional<String> cursor = Optional.of("");
    while (cursor.isPresent()) {
      Page<DeviceInfo> page = c2.devices("", cursor.get(), 7);
      page.items().forEach(d -> listed.add(d.name().orElse(d.id())));
      cursor = page.nextCursor();
    }
    List<String> names =
        ids.stream()
            .map(id -> c2.device(DeviceRef.hexId(id)).name().orElseThrow())
            .sorted()
            .toList();
    List<String> expected = new ArrayList<>(names);
    expected.addAll(unnamed);
    assertThat(listed).as("named devices by name, then the others by ID").isEqualTo(expected);
    List<String> odd = new ArrayList<>();
    Optional<String> oddCursor = Optional.of("");
    while (oddCursor.isPresent()) {
      Page<DeviceInfo> page = c2.devices("odd-", oddCursor.get(), 5);
      page.items().forEach(d -> odd.add(d.name().orElseThrow()));
      oddCursor = page.nextCursor();
    }
    assertThat(odd).hasSize(12).isSorted().allMatch(name -> name.startsWith("odd-"));

    c2.createTopic("paged/topic");
    List<String> linked = new ArrayList<>();
    for (int i = 1; i < 25; i += 2) {
      c2.link(DeviceRef.name("odd-" + i), "paged/topic");
      linked.add(ids.get(i));
    }
    List<String> linkedListed = new ArrayList<>();
    Optional<String> topicCursor = Optional.of("");
    while (topicCursor.isPresent()) {
      Page<DeviceInfo> page = c2.devicesOf("paged/topic", topicCursor.get(), 5);
      page.items().forEach(d -> linkedListed.add(d.id()));
      topicCursor = page.nextCursor();
    }
    assertThat(linkedListed).hasSize(12).isSorted().containsExactlyInAnyOrderElementsOf(linked);

    assertThatThrownBy(() -> c2.link(DeviceRef.name("nobody"), "x"))
        .isInstanceOfSatisfying(
            C2Exception.class, e -> assertThat(e.reason()).isEqualTo(C2Exception.Reason.NOT_FOUND));
    assertThatThrownBy(() -> c2.createTopic("t".repeat(513)))
        .isInstanceOfSatisfying(
            C2Exception.class,
            e -> assertThat(e.reason()).isEqualTo(C2Exception.Reason.INVALID_ARGUMENT));
    c2.createTopic("t".repeat(512));
    assertThatThrownBy(() -> c2.createTopic("t".repeat(512)))
        .isInstanceOfSatisfying(
            C2Exception.class,
            e -> assertThat(e.reason()).isEqualTo(C2Exception.Reason.ALREADY_EXISTS));
    if (mode == CryptoMode.SYMMETRIC_KEY) {
      assertThatThrownBy(() -> c2.newC2Key())
          .isInstanceOfSatisfying(
              C2Exception.class,
              e -> assertThat(e.reason()).isEqualTo(C2Exception.Reason.WRONG_MODE));
    } else {
      assertThatThrownBy(
              () ->
                  c2.createDevice(
                      NewDevice.of(
                          DeviceRef.name("off-the-curve"),
                          new DeviceCredential.PublicKey(notAnEd25519Point()))))
          .isInstanceOfSatisfying(
              C2Exception.class,
              e -> assertThat(e.reason()).isEqualTo(C2Exception.Reason.INVALID_ARGUMENT));
      CreatedDevice generated =
          c2.createDevice(
              NewDevice.of(DeviceRef.name("generated"), new DeviceCredential.Generate()));
      assertThat(generated.generatedKey()).get().satisfies(k -> assertThat(k).hasSize(64));
      assertThat(generated.toString()).doesNotContain(hex(generated.generatedKey().get()));
      assertThat(generated.device().publicKey())
          .contains(hex(Keys.ed25519Public(generated.generatedKey().get())));
    }
  }

  @Test
  void theModeOfAKeyStoreCannotChange() throws Exception {
    start(CryptoMode.SYMMETRIC_KEY);
    C2Config.Database database = currentDatabase();
    server.close();
    server = null;
    C2Config config =
        C2Config.defaults(dataDirectory)
            .withApi(C2Config.Api.disabled())
            .withMode(CryptoMode.PUBLIC_KEY)
            .withDatabase(database)
            .withBroker(C2Config.Mqtt.plain("127.0.0.1", broker.port()));

    assertThatThrownBy(() -> C2Server.start(config, Clock.systemUTC(), Map.of()))
        .isInstanceOfSatisfying(
            C2Exception.class,
            e -> {
              assertThat(e.reason()).isEqualTo(C2Exception.Reason.CONFIGURATION);
              assertThat(e.getMessage()).contains("SYMMETRIC_KEY", "PUBLIC_KEY");
            });
  }

  @Test
  void brokerCredentials_issuedReplacedRevoked_andGoneWithTheirDevice() throws Exception {
    start(CryptoMode.SYMMETRIC_KEY);
    c2.createDevice(
        NewDevice.of(
            DeviceRef.name("gateway-1"), new DeviceCredential.SymmetricKey(Keys.randomKey())));
    DeviceRef gateway = DeviceRef.name("gateway-1");
    assertThat(c2.deviceStatus(gateway, 0).brokerCredentialIssuedAt()).isEmpty();

    BrokerCredential first = c2.issueBrokerCredential(gateway);
    BrokerCredential second = c2.issueBrokerCredential(gateway);

    assertThat(second.secret()).isNotEqualTo(first.secret());
    // Databases keep microseconds at most.
    assertThat(c2.deviceStatus(gateway, 0).brokerCredentialIssuedAt().orElseThrow())
        .isCloseTo(second.issuedAt(), org.assertj.core.api.Assertions.within(1, ChronoUnit.MILLIS));
    c2.revokeBrokerCredential(gateway);
    assertThat(c2.deviceStatus(gateway, 0).brokerCredentialIssuedAt()).isEmpty();
    assertThatThrownBy(() -> c2.revokeBrokerCredential(gateway))
        .isInstanceOfSatisfying(
            C2Exception.class, e -> assertThat(e.reason()).isEqualTo(C2Exception.Reason.NOT_FOUND));
    assertThatThrownBy(() -> c2.issueBrokerCredential(DeviceRef.name("nobody")))
        .isInstanceOfSatisfying(
            C2Exception.class, e -> assertThat(e.reason()).isEqualTo(C2Exception.Reason.NOT_FOUND));

    c2.issueBrokerCredential(gateway);
    c2.removeDevice(gateway);
    c2.createDevice(
        NewDevice.of(
            DeviceRef.name("gateway-1"), new DeviceCredential.SymmetricKey(Keys.randomKey())));
    assertThat(c2.deviceStatus(gateway, 0).brokerCredentialIssuedAt()).isEmpty();
  }

  /** The database of the running test, to start a second server on it. */
  abstract C2Config.Database currentDatabase();

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  /** 32 bytes that decode to no point of Ed25519's curve. */
  private static byte[] notAnEd25519Point() {
    while (true) {
      byte[] candidate = Keys.randomKey();
      try {
        Keys.curve25519Public(candidate);
      } catch (io.e4j.core.E4Exception e) {
        return candidate;
      }
    }
  }
}
