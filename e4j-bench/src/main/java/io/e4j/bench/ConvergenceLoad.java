package io.e4j.bench;

import io.e4j.core.ClientStore;
import io.e4j.core.E4Client;
import io.e4j.core.Keys;
import io.e4j.mqtt.MqttConnection;
import io.e4j.server.C2Config;
import io.e4j.server.C2Service;
import io.e4j.server.DeviceCredential;
import io.e4j.server.DeviceRef;
import io.e4j.server.NewDevice;
import io.e4j.server.node.C2Server;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load driver for what C2 learns from devices' key reports, through a real Mosquitto: how many
 * reports a second C2 takes in (checks, records, counts), and how long the convergence query of a
 * topic linked to every device takes, at 100% and right after a rotation (0%).
 *
 * <p>The devices are e4j clients held in memory behind one MQTT connection (a gateway): each
 * applies the SetTopicKey its link sent it and makes its key report, exactly as E4MqttClient does;
 * the reports are then published all at once, over several connections, and the intake rate is the
 * number of reports over the time until C2 counts every device on the current key.
 *
 * <pre>
 * java -Xmx3g -cp e4j-bench/target/benchmarks.jar io.e4j.bench.ConvergenceLoad [devices] [queries]
 * </pre>
 */
public final class ConvergenceLoad {
  private static final String TOPIC = "fleet/telemetry";
  private static final int BATCH = 1_000;
  private static final int PUBLISHERS = 4;

  private ConvergenceLoad() {}

  public static void main(String[] args) throws Exception {
    int devices = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int queries = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    Path work = Files.createTempDirectory("e4j-convergence-load");
    // The gateway takes every device's commands on one connection: Mosquitto's per-client queue
    // (1,000 messages by default) would drop most of them.
    try (LocalMosquitto mosquitto =
        LocalMosquitto.start(work, List.of("max_queued_messages 0", "max_queued_bytes 0"))) {
      run(work, mosquitto.port(), devices, queries);
    }
  }

  private static void run(Path work, int port, int count, int queries) throws Exception {
    C2Config config =
        C2Config.defaults(work.resolve("c2"))
            .withApi(C2Config.Api.disabled())
            .withBroker(C2Config.Mqtt.plain("127.0.0.1", port));
    try (C2Server server = C2Server.start(config, Clock.systemUTC(), Map.of())) {
      C2Service c2 = server.service();
      long setup = System.nanoTime();
      Map<String, byte[]> keys = new ConcurrentHashMap<>();
      List<DeviceRef> refs = new ArrayList<>();
      c2.createTopic(TOPIC);
      List<NewDevice> batch = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String name = "meter-" + i;
        byte[] key = Keys.randomKey();
        keys.put(Keys.controlTopic(Keys.idFromName(name)), key);
        refs.add(DeviceRef.name(name));
        batch.add(NewDevice.of(DeviceRef.name(name), new DeviceCredential.SymmetricKey(key)));
        if (batch.size() == BATCH) {
          c2.createDevices(batch);
          batch.clear();
        }
      }
      if (!batch.isEmpty()) {
        c2.createDevices(batch);
      }

      // The gateway: every device applies its SetTopicKey and makes its report, kept for later.
      Map<String, byte[]> reports = new ConcurrentHashMap<>();
      Map<String, String> reportTopics = new ConcurrentHashMap<>();
      MqttConnection gateway =
          connect(
              port,
              "gateway",
              new MqttConnection.Events() {
                @Override
                public void received(String topic, byte[] payload, int qos, boolean retained) {
                  byte[] key = keys.get(topic);
                  if (key == null) {
                    return;
                  }
                  try (E4Client device =
                      E4Client.builder()
                          .id(java.util.HexFormat.of().parseHex(topic.substring(3)))
                          .key(key)
                          .store(ClientStore.memory())
                          .build()) {
                    device.unprotect(topic, payload);
                    reports.put(topic, device.keyReport());
                    reportTopics.put(topic, device.reportTopic());
                  }
                }
              });
      gateway.subscribe("e4/+", 2).get(30, TimeUnit.SECONDS);
      for (int from = 0; from < refs.size(); from += BATCH) {
        c2.linkAll(refs.subList(from, Math.min(refs.size(), from + BATCH)), TOPIC);
      }
      awaitReports(reports, count);
      gateway.disconnect().get(30, TimeUnit.SECONDS);
      System.out.printf(
          "setup: %,d devices created, linked, their keys applied and reports made in %.1f s%n",
          count, (System.nanoTime() - setup) / 1e9);

      List<String> topics = new ArrayList<>(reports.keySet());
      List<MqttConnection> publishers = new ArrayList<>();
      for (int p = 0; p < PUBLISHERS; p++) {
        publishers.add(connect(port, "reporter-" + p, new MqttConnection.Events() {}));
      }
      long start = System.nanoTime();
      List<CompletableFuture<Void>> sent = new ArrayList<>();
      AtomicInteger next = new AtomicInteger();
      for (String topic : topics) {
        MqttConnection publisher = publishers.get(next.getAndIncrement() % PUBLISHERS);
        sent.add(publisher.publish(reportTopics.get(topic), reports.get(topic), 1, false));
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
      long published = System.nanoTime();
      while (c2.topicStatus(TOPIC, 0).onCurrentKey() < count) {
        Thread.sleep(20);
      }
      long counted = System.nanoTime();
      for (MqttConnection publisher : publishers) {
        publisher.disconnect().get(30, TimeUnit.SECONDS);
      }
      System.out.printf(
          "key reports: %,d published in %.2f s; all counted on the current key after %.2f s:"
              + " %,.0f reports/s (target >= 5,000)%n",
          count,
          (published - start) / 1e9,
          (counted - start) / 1e9,
          count / ((counted - start) / 1e9));

      measureQueries(c2, queries, "convergence query, 100% on the current key");
      c2.rotateTopicKey(TOPIC);
      measureQueries(c2, queries, "convergence query, right after a rotation (listing 20 behind)");
      System.out.printf(
          "load average (1 min) at the end: %.2f on %d cores%n",
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
          Runtime.getRuntime().availableProcessors());
    }
  }

  /** Waits until every device made its report, or fails naming how many are missing. */
  private static void awaitReports(Map<String, byte[]> reports, int count)
      throws InterruptedException {
    int seen = -1;
    long lastProgress = System.nanoTime();
    while (reports.size() < count) {
      if (reports.size() != seen) {
        seen = reports.size();
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(60)) {
        throw new IllegalStateException(
            "setup stalled: "
                + (count - seen)
                + " devices never received their SetTopicKey (check the broker's queue limits)");
      }
      Thread.sleep(50);
    }
  }

  private static void measureQueries(C2Service c2, int queries, String title) {
    for (int i = 0; i < Math.min(queries, 20); i++) {
      c2.topicStatus(TOPIC, 20);
    }
    long[] nanos = new long[queries];
    for (int i = 0; i < queries; i++) {
      long start = System.nanoTime();
      c2.topicStatus(TOPIC, 20);
      nanos[i] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    System.out.printf(
        "%s (%,d queries): p50 %.1f ms, p99 %.1f ms, max %.1f ms (target p99 < 100 ms)%n",
        title,
        queries,
        nanos[queries / 2] / 1e6,
        nanos[(int) Math.ceil(queries * 0.99) - 1] / 1e6,
        nanos[queries - 1] / 1e6);
  }

  private static MqttConnection connect(int port, String clientId, MqttConnection.Events events)
      throws Exception {
    MqttConnection connection =
        MqttConnection.create(
            MqttConnection.Settings.builder()
                .host("127.0.0.1")
                .port(port)
                .clientId(clientId)
                .build(),
            events);
    connection.connect().get(30, TimeUnit.SECONDS);
    return connection;
  }
}
