package io.e4j.bench;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.e4j.core.Keys;
import io.e4j.server.C2Config;
import io.e4j.server.C2Service;
import io.e4j.server.DeviceCredential;
import io.e4j.server.DeviceRef;
import io.e4j.server.NewDevice;
import io.e4j.server.node.C2Server;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Load driver: C2 rotates a topic linked to many devices through its embedded broker (HiveMQ CE),
 * or a real Mosquitto with {@code -Dbroker=mosquitto}, and the same broker takes QoS 2 publishes
 * from a bare HiveMQ client, in one run. Prints commands per second until the broker acknowledged
 * them all, the raw rate, their ratio and the peak heap.
 *
 * <p>The raw rate is measured once the devices are set up, just before the rotations, after a
 * warm-up pass, in the same JVM against the same broker. The topic is then rotated twice: the first
 * rotation runs its code for the first time in the JVM (compiling it as it goes), the second runs
 * it warm, as the raw rate's code is.
 *
 * <pre>
 * java -Xmx2g [-Dbroker=mosquitto] -cp e4j-bench/target/benchmarks.jar io.e4j.bench.RotationLoad [devices] [jdbc-url user password]
 * </pre>
 */
public final class RotationLoad {
  private static final String TOPIC = "fleet/firmware";
  private static final int WARM_UP = 20_000;

  /** SetTopicKey protected: timestamp (8) + tag (16) + command (49). */
  private static final int COMMAND_SIZE = 73;

  private RotationLoad() {}

  public static void main(String[] args) throws Exception {
    int devices = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    C2Config.Database database =
        args.length > 3
            ? C2Config.Database.of(args[1], args[2], args[3])
            : C2Config.Database.embedded();
    Path work = Files.createTempDirectory("e4j-rotation-load");
    if ("mosquitto".equals(System.getProperty("broker"))) {
      try (LocalMosquitto mosquitto = LocalMosquitto.start(work)) {
        rotationAgainstRaw(
            work, C2Config.Mqtt.plain("127.0.0.1", mosquitto.port()), devices, database);
      }
    } else {
      rotationAgainstRaw(work, new C2Config.EmbeddedMqtt("127.0.0.1", 0), devices, database);
    }
  }

  private static double rawPublishRate(int port, int messages) {
    publishRaw(port, Math.min(messages, WARM_UP));
    return publishRaw(port, messages);
  }

  private static double publishRaw(int port, int messages) {
    Mqtt5AsyncClient client =
        MqttClient.builder()
            .useMqttVersion5()
            .identifier("raw-publisher")
            .serverHost("127.0.0.1")
            .serverPort(port)
            .buildAsync();
    client.connect().join();
    byte[] payload = new byte[COMMAND_SIZE];
    long start = System.nanoTime();
    CompletableFuture<?>[] acks = new CompletableFuture<?>[messages];
    for (int i = 0; i < messages; i++) {
      acks[i] =
          client
              .publishWith()
              // Not a control topic: on the embedded broker only C2 may publish there.
              .topic("raw/" + Keys.idFromName("raw-" + i).length + "/" + i)
              .qos(MqttQos.EXACTLY_ONCE)
              .payload(payload)
              .send();
    }
    CompletableFuture.allOf(acks).join();
    double rate = messages / ((System.nanoTime() - start) / 1e9);
    client.disconnect().join();
    return rate;
  }

  private static void rotationAgainstRaw(
      Path work, C2Config.Broker broker, int devices, C2Config.Database database)
      throws InterruptedException {
    C2Config config =
        C2Config.defaults(work.resolve("c2"))
            .withApi(C2Config.Api.disabled())
            .withDatabase(database)
            .withBroker(broker);
    try (C2Server server = C2Server.start(config, Clock.systemUTC(), Map.of())) {
      C2Service c2 = server.service();
      int port =
          broker instanceof C2Config.Mqtt mqtt ? mqtt.port() : server.embeddedBrokerPort().get();
      System.out.println(
          "broker: "
              + (broker instanceof C2Config.Mqtt ? "Mosquitto" : "embedded HiveMQ CE")
              + " on port "
              + port);
      long setup = System.nanoTime();
      c2.createTopic(TOPIC);
      List<NewDevice> batch = new ArrayList<>();
      List<DeviceRef> refs = new ArrayList<>();
      for (int i = 0; i < devices; i++) {
        DeviceRef device = DeviceRef.name("device-" + i);
        batch.add(NewDevice.of(device, new DeviceCredential.SymmetricKey(Keys.randomKey())));
        refs.add(device);
        if (batch.size() == 1_000 || i == devices - 1) {
          c2.createDevices(batch);
          c2.linkAll(refs, TOPIC);
          batch.clear();
          refs.clear();
        }
      }
      DeviceRef last = DeviceRef.name("device-" + (devices - 1));
      awaitDelivered(c2, last);
      System.out.printf(
          "setup: %,d devices created and linked through the service in %.1f s%n",
          devices, (System.nanoTime() - setup) / 1e9);

      double raw = rawPublishRate(port, devices);
      System.out.printf("raw HiveMQ QoS 2 publishes:  %,10.0f /s (%,d messages)%n", raw, devices);

      rotate(c2, last, devices, raw, "first rotation (its code cold in this JVM)");
      rotate(c2, last, devices, raw, "second rotation (warm, as the raw rate is)");
    }
  }

  private static void rotate(C2Service c2, DeviceRef last, int devices, double raw, String title)
      throws InterruptedException {
    System.gc();
    resetPeakHeap();
    long start = System.nanoTime();
    c2.rotateTopicKey(TOPIC);
    long enqueued = System.nanoTime();
    awaitDelivered(c2, last);
    long done = System.nanoTime();
    System.out.println(title + ":");
    System.out.printf(
        "  enqueued in %.2f s (one transaction), all acknowledged after %.2f s%n",
        (enqueued - start) / 1e9, (done - start) / 1e9);
    double rotation = devices / ((done - start) / 1e9);
    System.out.printf("  commands acked:            %,10.0f /s (%,d devices)%n", rotation, devices);
    System.out.printf("  rotation / raw:            %10.2f (target >= 0.80)%n", rotation / raw);
    System.out.printf("  peak heap:                 %,10d MiB%n", peakHeap() / (1024 * 1024));
  }

  /**
   * Waits until the rotation has reached every device: a device's rotation shows when it was
   * delivered once the last of its devices acknowledged it. Polling that is a few index lookups,
   * where counting the devices still to reach several times a second would take CPU from the
   * delivery it measures. The count confirms at the end.
   */
  private static void awaitDelivered(C2Service c2, DeviceRef last) throws InterruptedException {
    while (c2.deliveries(last, 1).get(0).sentAt().isEmpty()) {
      Thread.sleep(20);
    }
    while (c2.undeliveredCount() > 0) {
      Thread.sleep(100);
    }
  }

  private static void resetPeakHeap() {
    heapPools().forEach(MemoryPoolMXBean::resetPeakUsage);
  }

  private static long peakHeap() {
    return heapPools().stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
  }

  private static List<MemoryPoolMXBean> heapPools() {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(pool -> pool.getType() == MemoryType.HEAP)
        .toList();
  }
}
