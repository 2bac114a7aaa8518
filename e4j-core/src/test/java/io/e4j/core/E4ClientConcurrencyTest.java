package io.e4j.core;

import static io.e4j.core.TestDevices.NOW;
import static io.e4j.core.TestDevices.TOPIC;
import static io.e4j.core.TestDevices.key;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One client shared by many threads while commands change its state. */
class E4ClientConcurrencyTest {
  private static final int THREADS = 8;
  private static final int MESSAGES_PER_THREAD = 2_000;
  private static final int COMMANDS = 300;

  @Test
  void protectAndUnprotectFromManyThreads_whileCommandsArrive() throws Exception {
    Clock clock = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
    E4Client sender = TestDevices.symmetric("sender", clock).build();
    sender.setTopicKey(TOPIC, key("topic"));
    E4Client shared = TestDevices.symmetric("shared", clock).build();
    shared.setTopicKey(TOPIC, key("topic"));
    ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Integer>> workers = new ArrayList<>();
      for (int thread = 0; thread < THREADS; thread++) {
        int worker = thread;
        workers.add(
            pool.submit(
                () -> {
                  start.await();
                  int roundTrips = 0;
                  for (int i = 0; i < MESSAGES_PER_THREAD; i++) {
                    byte[] payload =
                        ("worker " + worker + " message " + i).getBytes(StandardCharsets.UTF_8);
                    byte[] fromSender = sender.protect(TOPIC, payload);
                    assertThat(shared.unprotect(TOPIC, fromSender)).contains(payload);
                    assertThat(sender.unprotect(TOPIC, shared.protect(TOPIC, payload)))
                        .contains(payload);
                    roundTrips++;
                  }
                  return roundTrips;
                }));
      }
      Future<Integer> commands =
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < COMMANDS; i++) {
                  byte[] command =
                      Commands.protect(
                          Commands.setTopicKey(key("other " + i), "other/" + i),
                          key("client/shared"),
                          clock.instant());
                  assertThat(shared.unprotect(shared.controlTopic(), command)).isEmpty();
                }
                return COMMANDS;
              });
      start.countDown();

      int roundTrips = 0;
      for (Future<Integer> worker : workers) {
        roundTrips += worker.get(2, TimeUnit.MINUTES);
      }
      assertThat(roundTrips).isEqualTo(THREADS * MESSAGES_PER_THREAD);
      assertThat(commands.get(2, TimeUnit.MINUTES)).isEqualTo(COMMANDS);
      assertThat(shared.topicHashes()).hasSize(COMMANDS + 1);
    } finally {
      pool.shutdownNow();
    }
  }
}
