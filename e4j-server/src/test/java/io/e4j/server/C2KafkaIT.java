package io.e4j.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.e4j.core.ClientStore;
import io.e4j.core.E4Client;
import io.e4j.core.Keys;
import io.e4j.kafka.E4ControlConsumer;
import io.e4j.kafka.KafkaBroker;
import io.e4j.server.node.C2Server;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * C2 delivering commands over a real, in-process KRaft Kafka to devices on e4j-kafka, and reading
 * their key reports.
 */
class C2KafkaIT {
  private static final String TOPIC = "plant/events";
  private static final String CONTROL = "e4.control";

  @TempDir Path directory;
  private KafkaBroker cluster;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void startKafka() throws Exception {
    cluster = KafkaBroker.start();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    cluster.close();
  }

  @Test
  void linkAndRotation_reachEveryDeviceThroughTheControlTopic() throws Exception {
    C2Config config =
        C2Config.defaults(directory.resolve("c2"))
            .withApi(C2Config.Api.disabled())
            .withBroker(new C2Config.Kafka(cluster.bootstrapServers(), CONTROL, Map.of()));
    C2Server server = C2Server.start(config, Clock.systemUTC(), Map.of());
    open.add(server);
    C2Service c2 = server.service();
    c2.createTopic(TOPIC);

    List<E4Client> devices = new ArrayList<>();
    List<AtomicInteger> applied = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String name = "kafka-device-" + i;
      byte[] key = Keys.randomKey();
      E4Client device =
          E4Client.builder()
              .name(name)
              .key(key)
              .store(ClientStore.file(directory.resolve(name + ".e4")))
              .build();
      open.add(device);
      c2.createDevice(NewDevice.of(DeviceRef.name(name), new DeviceCredential.SymmetricKey(key)));
      AtomicInteger count = new AtomicInteger();
      E4ControlConsumer consumer =
          new E4ControlConsumer(
              device,
              Map.of(
                  ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  cluster.bootstrapServers(),
                  ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                  "earliest"),
              CONTROL,
              new E4ControlConsumer.Listener() {
                @Override
                public void applied() {
                  count.incrementAndGet();
                }
              });
      consumer.start();
      open.add(consumer);
      devices.add(device);
      applied.add(count);
      c2.link(DeviceRef.name(name), TOPIC);
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> devices.stream().allMatch(d -> d.hasTopicKey(TOPIC)));

    c2.rotateTopicKey(TOPIC);

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> applied.stream().allMatch(count -> count.get() == 2));
    for (int i = 0; i < 3; i++) {
      List<Delivery> deliveries = c2.deliveries(DeviceRef.name("kafka-device-" + i), 10);
      assertThat(deliveries)
          .extracting(Delivery::command, Devices::taken)
          .containsExactly(
              Tuple.tuple("SetTopicKey", DeliveryStatus.SENT),
              Tuple.tuple("SetTopicKey", DeliveryStatus.SENT));
    }
    byte[] message = devices.get(0).protect(TOPIC, "valve 7 open".getBytes(UTF_8));
    for (E4Client reader : devices.subList(1, 3)) {
      assertThat(reader.unprotect(TOPIC, message)).hasValue("valve 7 open".getBytes(UTF_8));
    }
  }

  /**
   * Devices on e4j-kafka that report their keys (docs/key-reports.md) to {@code e4.reports}: C2
   * reads the reports in its consumer group, records each device confirmed (DEVICE_CONFIRMED) and
   * counts the devices on the topic's current key, again after a rotation.
   */
  @Test
  void reportingDevices_areConfirmedOnTheCurrentKey_andAgainAfterARotation() throws Exception {
    C2Config config =
        C2Config.defaults(directory.resolve("c2"))
            .withApi(C2Config.Api.disabled())
            .withBroker(new C2Config.Kafka(cluster.bootstrapServers(), CONTROL, Map.of()));
    C2Server server = C2Server.start(config, Clock.systemUTC(), Map.of());
    open.add(server);
    C2Service c2 = server.service();
    c2.createTopic(TOPIC);
    KafkaProducer<String, byte[]> reports =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer());
    open.add(reports);
    List<String> names = List.of("reporting-0", "reporting-1");
    for (String name : names) {
      byte[] key = Keys.randomKey();
      E4Client device =
          E4Client.builder()
              .name(name)
              .key(key)
              .store(ClientStore.file(directory.resolve(name + ".e4")))
              .build();
      open.add(device);
      c2.createDevice(NewDevice.of(DeviceRef.name(name), new DeviceCredential.SymmetricKey(key)));
      E4ControlConsumer consumer =
          E4ControlConsumer.builder(
                  device,
                  Map.of(
                      ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                      cluster.bootstrapServers(),
                      ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                      "earliest"))
              .controlTopic(CONTROL)
              .reports(reports)
              .build();
      consumer.start();
      open.add(consumer);
      c2.link(DeviceRef.name(name), TOPIC);
    }

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> c2.topicStatus(TOPIC, 10).onCurrentKey() == names.size());
    TopicStatus linked = c2.topicStatus(TOPIC, 10);
    assertThat(linked.linkedDevices()).isEqualTo(names.size());
    assertThat(linked.reportingDevices()).isEqualTo(names.size());
    assertThat(linked.behind()).isEmpty();
    assertThat(confirmations(c2)).containsExactlyInAnyOrderElementsOf(names);

    c2.rotateTopicKey(TOPIC);

    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              TopicStatus status = c2.topicStatus(TOPIC, 10);
              return status.topic().keyVersion() == linked.topic().keyVersion() + 1
                  && status.onCurrentKey() == names.size();
            });
    assertThat(c2.topicStatus(TOPIC, 10).behind()).isEmpty();
    // Each device confirmed again, on the new key.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> confirmations(c2).size() == 2 * names.size());
    assertThat(confirmations(c2))
        .containsExactlyInAnyOrderElementsOf(
            names.stream().flatMap(name -> Stream.of(name, name)).toList());
    for (String name : names) {
      DeviceStatus device = c2.deviceStatus(DeviceRef.name(name), 10);
      assertThat(device.reports()).isTrue();
      assertThat(device.topicsOnCurrentKey()).isEqualTo(1);
      assertThat(c2.deliveries(DeviceRef.name(name), 10))
          .extracting(Delivery::command, Devices::taken)
          .containsExactly(
              Tuple.tuple("SetTopicKey", DeliveryStatus.SENT),
              Tuple.tuple("SetTopicKey", DeliveryStatus.SENT));
    }
  }

  /** The names of the devices C2 found holding all their current keys, once per time. */
  private static List<String> confirmations(C2Service c2) {
    return c2.events(0, 1_000).stream()
        .filter(event -> event.type() == EventType.DEVICE_CONFIRMED)
        .map(event -> event.deviceName().orElseThrow())
        .toList();
  }
}
