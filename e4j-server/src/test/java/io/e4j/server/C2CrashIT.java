package io.e4j.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.e4j.core.E4Client;
import io.e4j.core.E4Exception;
import io.e4j.core.Keys;
import io.e4j.mqtt.Mosquitto;
import io.e4j.server.node.C2Server;
import java.io.File;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kills a C2 process (destroyForcibly) while it rotates a topic of 2,000 devices, restarts it, and
 * checks that every device ends up with the new key. The devices are simulated: one MQTT connection
 * subscribed to {@code e4/#} hands each command to its device's {@link E4Client}.
 */
class C2CrashIT {
  private static final int DEVICES = 2_000;
  private static final int BATCH = 1_000;
  private static final String TOPIC = "fleet/firmware";
  private static final Duration WAIT = Duration.ofMinutes(3);

  @TempDir Path dataDirectory;
  @TempDir Path brokerDirectory;
  @TempDir Path postgresDirectory;

  private Mosquitto broker;
  private Postgres postgres;
  private Mqtt5AsyncClient listener;
  private final Map<String, E4Client> devices = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> applied = new ConcurrentHashMap<>();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final AtomicInteger replays = new AtomicInteger();

  static C2Config config(Path dataDirectory, int brokerPort, C2Config.Database database) {
    return C2Config.defaults(dataDirectory)
        .withApi(C2Config.Api.disabled())
        .withDatabase(database)
        .withBroker(C2Config.Mqtt.plain("127.0.0.1", brokerPort));
  }

  @BeforeEach
  void startBroker() throws Exception {
    broker = Mosquitto.start(brokerDirectory);
  }

  @AfterEach
  void stopEverything() {
    if (listener != null) {
      listener.disconnect().exceptionally(failure -> null).join();
    }
    if (postgres != null) {
      postgres.close();
    }
    broker.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgresql"})
  void killedMidRotation_everyDeviceEndsUpWithTheNewKey(String store) throws Exception {
    C2Config.Database database = C2Config.Database.embedded();
    if (store.equals("postgresql")) {
      postgres = Postgres.start(postgresDirectory);
      database = C2Config.Database.of(postgres.jdbcUrl(), postgres.user(), postgres.password());
    }
    C2Config config = config(dataDirectory, broker.port(), database);
    listenForCommands();
    List<E4Client> fleet = new ArrayList<>();
    try (C2Server server = C2Server.start(config, Clock.systemUTC(), Map.of())) {
      C2Service c2 = server.service();
      c2.createTopic(TOPIC);
      // In batches of 1,000 (the API's limit): the fleet is set-up, not what this test is about;
      // one transaction per device made the set-up most of the test's time.
      for (int from = 0; from < DEVICES; from += BATCH) {
        List<NewDevice> created = new ArrayList<>();
        List<DeviceRef> linked = new ArrayList<>();
        for (int i = from; i < Math.min(DEVICES, from + BATCH); i++) {
          byte[] key = Keys.randomKey();
          String name = "crash-device-" + i;
          created.add(NewDevice.of(DeviceRef.name(name), new DeviceCredential.SymmetricKey(key)));
          linked.add(DeviceRef.name(name));
          E4Client device = E4Client.builder().name(name).key(key).build();
          fleet.add(device);
          devices.put(device.controlTopic(), device);
          applied.put(device.controlTopic(), new AtomicInteger());
        }
        assertThat(c2.createDevices(created)).allMatch(BatchItem::succeeded);
        assertThat(c2.linkAll(linked, TOPIC)).allMatch(BatchItem::succeeded);
      }
      await().atMost(WAIT).until(() -> appliedAtLeast(1) == DEVICES);
    }

    Process process = startServerProcess(config, database);
    try {
      await().atMost(WAIT).until(() -> appliedAtLeast(2) >= DEVICES / 10 || !process.isAlive());
      assertThat(process.isAlive()).as("the C2 process is still rotating").isTrue();
    } finally {
      process.destroyForcibly().waitFor();
    }
    int beforeRestart = appliedAtLeast(2);
    assertThat(beforeRestart).isLessThan(DEVICES);

    try (C2Server restarted = C2Server.start(config, Clock.systemUTC(), Map.of())) {
      await().atMost(WAIT).until(() -> appliedAtLeast(2) == DEVICES);
      await().atMost(WAIT).until(() -> restarted.service().undeliveredCount() == 0);
    }

    // Every device opens what the first one now protects: they all hold the same, new key.
    E4Client reference = fleet.get(0);
    for (E4Client device : fleet) {
      byte[] message = reference.protect(TOPIC, "new firmware".getBytes(UTF_8));
      assertThat(device.unprotect(TOPIC, message)).get().isEqualTo("new firmware".getBytes(UTF_8));
    }
    long duplicates = applied.values().stream().filter(count -> count.get() > 2).count();
    System.out.printf(
        "crash test (%s): %d of %d devices had the new key when C2 was killed; %d applied a"
            + " command twice, %d refused an exact copy as a replay%n",
        store, beforeRestart, DEVICES, duplicates, replays.get());
    assertThat(failures).isEmpty();
  }

  private int appliedAtLeast(int commands) {
    return (int) applied.values().stream().filter(count -> count.get() >= commands).count();
  }

  private void listenForCommands() {
    listener =
        MqttClient.builder()
            .useMqttVersion5()
            .identifier("crash-test-devices")
            .serverHost("127.0.0.1")
            .serverPort(broker.port())
            .buildAsync();
    listener.connect().join();
    listener
        .subscribeWith()
        .topicFilter("e4/#")
        .qos(MqttQos.EXACTLY_ONCE)
        .callback(
            publish -> {
              String topic = publish.getTopic().toString();
              E4Client device = devices.get(topic);
              if (device == null) {
                failures.add("command for an unknown device on " + topic);
                return;
              }
              try {
                device.unprotect(topic, publish.getPayloadAsBytes());
                applied.get(topic).incrementAndGet();
              } catch (E4Exception e) {
                if (e.reason() == E4Exception.Reason.REPLAYED) {
                  // The same bytes again: C2 resent, after the restart, a command it had sent
                  // within the same second before the kill. The device had applied it already.
                  replays.incrementAndGet();
                } else {
                  failures.add(topic + ": " + e.getMessage());
                }
              }
            })
        .send()
        .join();
  }

  private Process startServerProcess(C2Config config, C2Config.Database database) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Starts sooner on a busy machine; it only has to be rotating when it is killed.
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                CrashTestServer.class.getName(),
                config.dataDirectory().toString(),
                Integer.toString(broker.port()),
                "400",
                TOPIC));
    if (!database.isEmbedded()) {
      command.addAll(List.of(database.url(), database.user(), database.password()));
    }
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dataDirectory.resolve("c2-process.log").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
  }
}
