package io.e4j.server.internal.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.e4j.server.C2Config.EmbeddedMqtt.Access;
import io.e4j.server.internal.broker.InMemoryDirectory.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How fast C2 gets commands through the embedded broker: C2's connection (as MqttTransport makes
 * it: MQTT 5, QoS 2, C2's login, through the access control) publishes on the control topics of
 * 1,000 connected MQTT 5 subscribers (QoS 2), several rounds; prints messages per second from the
 * first publish until the subscribers received the last, with the machine's load average.
 */
class BrokerThroughputIT {
  private static final int SUBSCRIBERS = 1_000;
  private static final int ROUNDS = 10;
  private static final int IN_FLIGHT = 1_000;

  @TempDir Path directory;

  @Test
  void c2PublishesQos2Commands_toAThousandSubscribers() throws Exception {
    try (BrokerFixture fixture =
        new BrokerFixture(directory, Access.OPEN, new InMemoryDirectory()).start()) {
      AtomicLong received = new AtomicLong();
      List<Device> devices = new ArrayList<>();
      List<CompletableFuture<?>> ready = new ArrayList<>();
      for (int i = 0; i < SUBSCRIBERS; i++) {
        Device device = fixture.devices.add("load-" + i);
        devices.add(device);
        Mqtt5AsyncClient client = fixture.v5("load-" + i).buildAsync();
        client.publishes(MqttGlobalPublishFilter.ALL, publish -> received.incrementAndGet());
        ready.add(
            client
                .connect()
                .thenCompose(
                    connected ->
                        client
                            .subscribeWith()
                            .topicFilter(device.controlTopic())
                            .qos(MqttQos.EXACTLY_ONCE)
                            .send()));
        fixture.track(client, new java.util.concurrent.LinkedBlockingQueue<>());
      }
      CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      byte[] command = new byte[100];
      String loadBefore = Files.readString(Path.of("/proc/loadavg")).strip();

      Semaphore window = new Semaphore(IN_FLIGHT);
      long started = System.nanoTime();
      for (int round = 0; round < ROUNDS; round++) {
        for (Device device : devices) {
          window.acquire();
          fixture
              .c2
              .publish(device.controlTopic(), command, 2, false)
              .whenComplete((done, failure) -> window.release());
        }
      }
      long acknowledged = System.nanoTime();
      long total = (long) SUBSCRIBERS * ROUNDS;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (received.get() < total && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      long delivered = System.nanoTime();
      String loadAfter = Files.readString(Path.of("/proc/loadavg")).strip();

      assertThat(received).hasValue(total);
      System.out.printf(
          "embedded broker throughput: %d QoS 2 commands to %d subscribers: published in %d ms,"
              + " delivered in %d ms = %.0f msgs/s; %d CPUs, load average before %s, after %s%n",
          total,
          SUBSCRIBERS,
          TimeUnit.NANOSECONDS.toMillis(acknowledged - started),
          TimeUnit.NANOSECONDS.toMillis(delivered - started),
          total / ((delivered - started) / 1e9),
          Runtime.getRuntime().availableProcessors(),
          loadBefore,
          loadAfter);
      System.out.printf("embedded broker start: %d ms%n", fixture.broker.startTime().toMillis());
    }
  }
}
