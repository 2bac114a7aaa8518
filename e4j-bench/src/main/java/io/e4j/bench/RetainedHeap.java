package io.e4j.bench;

import io.e4j.core.E4Client;
import io.e4j.core.Keys;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints the heap one client retains, with no topic keys and with 1,000. Builds many clients and
 * divides, so that one allocation's noise does not matter; run it with a fixed heap, e.g. {@code
 * java -Xms1g -Xmx1g -cp e4j-bench/target/benchmarks.jar io.e4j.bench.RetainedHeap}.
 */
public final class RetainedHeap {
  private static final int CLIENTS = 200;
  private static final int TOPIC_KEYS = 1_000;

  private RetainedHeap() {}

  public static void main(String[] args) {
    long empty = bytesPerClient(0);
    long full = bytesPerClient(TOPIC_KEYS);
    System.out.printf("retained heap of one client, no topic keys:    %,d bytes%n", empty);
    System.out.printf("retained heap of one client, %,d topic keys: %,d bytes%n", TOPIC_KEYS, full);
    System.out.printf(
        "per topic key:                                 %,d bytes%n", (full - empty) / TOPIC_KEYS);
  }

  private static long bytesPerClient(int topicKeys) {
    List<E4Client> warmUp = build(10, topicKeys);
    warmUp.clear();
    long before = usedHeap();
    List<E4Client> clients = build(CLIENTS, topicKeys);
    long after = usedHeap();
    if (clients.size() != CLIENTS) {
      throw new IllegalStateException("clients were lost");
    }
    return (after - before) / CLIENTS;
  }

  private static List<E4Client> build(int count, int topicKeys) {
    List<E4Client> clients = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      E4Client client =
          E4Client.builder()
              .name("device-" + i)
              .key(Keys.randomKey())
              .replayProtection(false)
              .build();
      for (int topic = 0; topic < topicKeys; topic++) {
        client.setTopicKey("fleet/topic-" + topic, Keys.randomKey());
      }
      clients.add(client);
    }
    return clients;
  }

  private static long usedHeap() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 5; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
