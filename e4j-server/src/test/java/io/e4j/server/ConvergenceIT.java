package io.e4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.e4j.core.ClientStore;
import io.e4j.core.E4Client;
import io.e4j.core.Keys;
import io.e4j.mqtt.Mosquitto;
import io.e4j.mqtt.MqttConnection;
import io.e4j.server.Devices.Device;
import io.e4j.server.node.C2Server;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * e4j devices report the keys they hold (docs/key-reports.md); C2 records it, tells how far a
 * topic's key has reached, finds devices that stay behind, and refuses reports it cannot believe.
 */
class ConvergenceIT {
  private static final Duration STALE_AFTER = Duration.ofSeconds(3);

  @TempDir Path brokerDirectory;
  @TempDir Path dataDirectory;

  private Mosquitto broker;
  private C2Server server;
  private Devices devices;

  private C2Service startC2() throws Exception {
    broker = Mosquitto.start(brokerDirectory);
    C2Config config =
        C2Config.defaults(dataDirectory)
            .withApi(C2Config.Api.disabled())
            .withBroker(C2Config.Mqtt.plain("127.0.0.1", broker.port()))
            .withDelivery(C2Config.Delivery.defaults().withStaleAfter(STALE_AFTER));
    server = C2Server.start(config, Clock.systemUTC(), Map.of());
    devices = new Devices(server.service(), broker.port());
    return server.service();
  }

  @AfterEach
  void stop() {
    if (devices != null) {
      devices.close();
    }
    if (server != null) {
      server.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void devicesThatReport_areConfirmedOnTheCurrentKey_afterARotationToo() throws Exception {
    C2Service c2 = startC2();
    c2.createTopic("fleet/speed");
    List<Device> fleet = devices.createAll("car-", 3);
    for (Device car : fleet) {
      c2.link(car.ref(), "fleet/speed");
    }
    await().atMost(Devices.WAIT).until(() -> c2.topicStatus("fleet/speed", 10).onCurrentKey() == 3);
    TopicStatus linked = c2.topicStatus("fleet/speed", 10);
    assertThat(linked.reportingDevices()).isEqualTo(3);
    assertThat(linked.behind()).isEmpty();
    assertThat(linked.convergence()).isEqualTo(1.0);
    await()
        .atMost(Devices.WAIT)
        .until(
            () -> c2.deliveries(fleet.get(0).ref(), 1).get(0).status() == DeliveryStatus.CONFIRMED);

    c2.rotateTopicKey("fleet/speed");
    assertThat(c2.topicStatus("fleet/speed", 10).onCurrentKey()).isLessThan(3);

    await().atMost(Devices.WAIT).until(() -> c2.topicStatus("fleet/speed", 10).onCurrentKey() == 3);
    DeviceStatus car = c2.deviceStatus(fleet.get(1).ref(), 10);
    assertThat(car.reports()).isTrue();
    assertThat(car.topicsOnCurrentKey()).isEqualTo(1);
    assertThat(car.ownKeyCurrent()).contains(true);
    assertThat(car.lastSeen()).isPresent();
    assertThat(c2.events(0, 1_000)).anyMatch(event -> event.type() == EventType.DEVICE_CONFIRMED);
  }

  @Test
  void twoThousandDevices_convergeToAllAfterARotation() throws Exception {
    C2Service c2 = startC2();
    c2.createTopic("meters/reading");
    try (Fleet fleet = Fleet.of(c2, broker.port(), "meter-", 2_000)) {
      List<DeviceRef> refs = fleet.refs();
      for (int from = 0; from < refs.size(); from += 1_000) {
        c2.linkAll(refs.subList(from, Math.min(refs.size(), from + 1_000)), "meters/reading");
      }
      await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> c2.topicStatus("meters/reading", 0).onCurrentKey() == 2_000);

      c2.rotateTopicKey("meters/reading");

      await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> c2.topicStatus("meters/reading", 0).onCurrentKey() == 2_000);
      assertThat(c2.topicStatus("meters/reading", 10).convergence()).isEqualTo(1.0);
    }
  }

  @Test
  void deviceKeptOffline_isStale_andConvergesWhenItReturns() throws Exception {
    C2Service c2 = startC2();
    c2.createTopic("fleet/doors");
    Device away = devices.create("van-away");
    Device here = devices.create("van-here");
    c2.link(away.ref(), "fleet/doors");
    c2.link(here.ref(), "fleet/doors");
    await().atMost(Devices.WAIT).until(() -> c2.topicStatus("fleet/doors", 10).onCurrentKey() == 2);

    away.mqtt.disconnect().get(10, TimeUnit.SECONDS);
    c2.rotateTopicKey("fleet/doors");

    await()
        .atMost(Devices.WAIT)
        .until(() -> c2.deviceStatus(away.ref(), 10).staleSince().isPresent());
    TopicStatus status = c2.topicStatus("fleet/doors", 10);
    assertThat(status.onCurrentKey()).isEqualTo(1);
    assertThat(status.behind())
        .singleElement()
        .satisfies(
            lag -> {
              assertThat(lag.name()).contains("van-away");
              assertThat(lag.reports()).isTrue();
              assertThat(lag.confirmedVersion()).hasValue(1);
            });
    assertThat(c2.deviceStatus(here.ref(), 10).staleSince()).isEmpty();
    assertThat(c2.events(0, 1_000))
        .anyMatch(
            event ->
                event.type() == EventType.DEVICE_STALE
                    && event.deviceName().equals(Optional.of("van-away")));

    // A clean session: the rotation's command was dropped; its report on connecting says so.
    away.mqtt.connect().get(30, TimeUnit.SECONDS);

    await().atMost(Devices.WAIT).until(() -> c2.topicStatus("fleet/doors", 10).onCurrentKey() == 2);
    await()
        .atMost(Devices.WAIT)
        .until(() -> c2.deviceStatus(away.ref(), 10).staleSince().isEmpty());
  }

  @Test
  void deviceThatMissedItsKeyChange_getsItAgainUnderItsOldKey_andConverges() throws Exception {
    C2Service c2 = startC2();
    c2.createTopic("fleet/locks");
    Device away = devices.create("van-rekeyed");
    Device here = devices.create("van-steady");
    c2.link(away.ref(), "fleet/locks");
    c2.link(here.ref(), "fleet/locks");
    await().atMost(Devices.WAIT).until(() -> c2.topicStatus("fleet/locks", 10).onCurrentKey() == 2);
    String keyBefore = away.client.brokerPassword();

    // Clean session: the broker drops the SetIDKey, then the rotation, sent while it is away.
    away.mqtt.disconnect().get(10, TimeUnit.SECONDS);
    c2.newDeviceKey(away.ref());
    c2.rotateTopicKey("fleet/locks");
    await()
        .atMost(Devices.WAIT)
        .until(
            () ->
                c2.deliveries(away.ref(), 10).stream()
                    .allMatch(delivery -> delivery.status() != DeliveryStatus.PENDING));
    assertThat(away.client.brokerPassword()).isEqualTo(keyBefore);

    // Its report on connecting comes under the old key: C2 sends the key change again under it,
    // then the topic's current key under the new one.
    away.mqtt.connect().get(30, TimeUnit.SECONDS);

    await()
        .atMost(Devices.WAIT)
        .until(() -> c2.deviceStatus(away.ref(), 10).ownKeyCurrent().orElse(false));
    await().atMost(Devices.WAIT).until(() -> c2.topicStatus("fleet/locks", 10).onCurrentKey() == 2);
    assertThat(away.client.brokerPassword()).isNotEqualTo(keyBefore);
    assertThat(c2.audit(0, 1_000, Optional.empty()))
        .anyMatch(
            record ->
                record.action().equals("CatchUpDevice")
                    && record.detail().orElse("").contains("under its previous key"));

    away.subscribe("fleet/locks");
    here.publish("fleet/locks", "locked".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    await().atMost(Devices.WAIT).until(() -> away.messages.size() == 1);
  }

  @Test
  void forgedReplayedAndReflectedReports_areRefusedAndAudited() throws Exception {
    C2Service c2 = startC2();
    c2.createTopic("fleet/fuel");
    Device truck = devices.create("truck");
    Device other = devices.create("other-truck");
    c2.link(truck.ref(), "fleet/fuel");
    await().atMost(Devices.WAIT).until(() -> c2.topicStatus("fleet/fuel", 10).onCurrentKey() == 1);
    String truckId = HexFormat.of().formatHex(truck.client.id());
    String otherId = HexFormat.of().formatHex(other.client.id());
    // Someone who knows the truck's ID but not its key.
    E4Client forger =
        E4Client.builder()
            .id(truck.client.id())
            .key(Keys.randomKey())
            .store(ClientStore.memory())
            .build();

    try (Attacker attacker = new Attacker(broker.port())) {
      byte[] recorded = truck.client.keyReport();
      attacker.publish(truck.client.reportTopic(), recorded);
      attacker.publish(truck.client.reportTopic(), recorded);
      attacker.publish(truck.client.reportTopic(), forger.keyReport());
      attacker.publish(truck.client.reportTopic(), "not a report".getBytes());
      attacker.publish(other.client.reportTopic(), truck.client.keyReport());
    }

    await()
        .atMost(Devices.WAIT)
        .untilAsserted(
            () -> {
              assertThat(refusalsOf(c2, truckId))
                  .extracting(record -> record.detail().orElse(""))
                  .anyMatch(detail -> detail.contains("replayed or out of order"))
                  .anyMatch(detail -> detail.contains("not authentic"))
                  .anyMatch(detail -> detail.contains("not a key report"));
              assertThat(refusalsOf(c2, otherId))
                  .extracting(record -> record.detail().orElse(""))
                  .anyMatch(detail -> detail.contains("arrived as device"));
            });
    assertThat(refusalsOf(c2, truckId))
        .allSatisfy(
            record -> {
              assertThat(record.outcome()).isIn("DENIED", "INVALID_ARGUMENT");
              assertThat(record.action()).isEqualTo("KeyReport");
            });
    assertThat(c2.topicStatus("fleet/fuel", 10).onCurrentKey()).isEqualTo(1);
  }

  @Test
  void reportPublishedOnTheDevicesControlTopic_isNeverAppliedAsACommand() throws Exception {
    C2Service c2 = startC2();
    c2.createTopic("fleet/tyres");
    Device bus = devices.create("bus");
    c2.link(bus.ref(), "fleet/tyres");
    await().atMost(Devices.WAIT).until(() -> bus.client.hasTopicKey("fleet/tyres"));
    int applied = bus.commands.get();

    try (Attacker attacker = new Attacker(broker.port())) {
      attacker.publish(bus.client.controlTopic(), bus.client.keyReport());
    }

    await().atMost(Devices.WAIT).until(() -> !bus.rejections.isEmpty());
    assertThat(bus.commands.get()).isEqualTo(applied);
    assertThat(bus.client.hasTopicKey("fleet/tyres")).isTrue();
  }

  private static List<AuditRecord> refusalsOf(C2Service c2, String hexId) {
    return c2.audit(0, 1_000, Optional.of("device " + hexId)).stream()
        .sorted(java.util.Comparator.comparingLong(AuditRecord::id))
        .toList();
  }

  /** Anyone who can connect to the broker. */
  private static final class Attacker implements AutoCloseable {
    private final MqttConnection connection;

    Attacker(int port) throws Exception {
      connection =
          MqttConnection.create(
              MqttConnection.Settings.builder()
                  .host("127.0.0.1")
                  .port(port)
                  .clientId("attacker")
                  .build(),
              new MqttConnection.Events() {});
      connection.connect().get(10, TimeUnit.SECONDS);
    }

    void publish(String topic, byte[] payload) throws Exception {
      connection.publish(topic, payload, 1, false).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
      connection.disconnect().get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Many e4j devices behind one MQTT connection, as a gateway holds them: each applies the commands
   * on its control topic and reports its keys afterwards, as E4MqttClient does.
   */
  private static final class Fleet implements AutoCloseable {
    private final Map<String, E4Client> byControlTopic = new ConcurrentHashMap<>();
    private final List<DeviceRef> refs = new ArrayList<>();
    private MqttConnection connection;

    static Fleet of(C2Service c2, int port, String prefix, int count) throws Exception {
      Fleet fleet = new Fleet();
      List<NewDevice> batch = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        byte[] key = Keys.randomKey();
        E4Client device =
            E4Client.builder().name(prefix + i).key(key).store(ClientStore.memory()).build();
        fleet.byControlTopic.put(device.controlTopic(), device);
        fleet.refs.add(DeviceRef.id(device.id()));
        batch.add(NewDevice.of(DeviceRef.name(prefix + i), new DeviceCredential.SymmetricKey(key)));
        if (batch.size() == 1_000) {
          c2.createDevices(batch);
          batch.clear();
        }
      }
      if (!batch.isEmpty()) {
        c2.createDevices(batch);
      }
      fleet.connect(port);
      return fleet;
    }

    private void connect(int port) throws Exception {
      connection =
          MqttConnection.create(
              MqttConnection.Settings.builder()
                  .host("127.0.0.1")
                  .port(port)
                  .clientId("fleet-gateway")
                  .build(),
              new MqttConnection.Events() {
                @Override
                public void received(String topic, byte[] payload, int qos, boolean retained) {
                  E4Client device = byControlTopic.get(topic);
                  if (device == null) {
                    return;
                  }
                  try {
                    device.unprotect(topic, payload);
                    connection.publish(device.reportTopic(), device.keyReport(), 1, false);
                  } catch (io.e4j.core.E4Exception refused) {
                    // A copy of a command applied already: nothing to report.
                  }
                }
              });
      connection.connect().get(10, TimeUnit.SECONDS);
      connection.subscribe("e4/+", 2).get(10, TimeUnit.SECONDS);
    }

    List<DeviceRef> refs() {
      return refs;
    }

    @Override
    public void close() throws Exception {
      connection.disconnect().get(10, TimeUnit.SECONDS);
      byControlTopic.values().forEach(E4Client::close);
    }
  }
}
