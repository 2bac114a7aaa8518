package io.e4j.bench;

import io.e4j.core.E4Client;
import io.e4j.core.Keys;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Prints the heap one default client (in-memory store, no traffic yet) retains with no topic keys
 * and with 1,000. Builds many clients and divides, so that one allocation's noise does not matter;
 * run it with a fixed heap, e.g. {@code java -Xms1g -Xmx1g -cp e4j-bench/target/benchmarks.jar
 * io.e4j.bench.RetainedHeap}.
 *
 * <p>A client also keeps AES cipher objects for each thread that has used it, for as long as both
 * live. Empty clients are therefore measured twice: held while the thread that built them runs, and
 * after it has ended; the difference is one thread's share.
 */
public final class RetainedHeap {
  private static final int CLIENTS = 200;
  private static final int WARM_UP_CLIENTS = 10;
  private static final int TOPIC_KEYS = 1_000;

  private RetainedHeap() {}

  public static void main(String[] args) {
    long empty = bytesPerClient(count -> build(count, 0));
    long full = bytesPerClient(count -> build(count, TOPIC_KEYS));
    long emptyThreadEnded = bytesPerClient(count -> buildOnEndedThread(count, 0));
    print("one client, no topic keys", empty);
    print(String.format("one client, %,d topic keys", TOPIC_KEYS), full);
    print("per topic key", (full - empty) / TOPIC_KEYS);
    print("per thread that has used a client", empty - emptyThreadEnded);
  }

  private static void print(String what, long bytes) {
    System.out.printf("%-36s %,9d bytes%n", what, bytes);
  }

  private static long bytesPerClient(IntFunction<List<E4Client>> builder) {
    builder.apply(WARM_UP_CLIENTS).clear();
    long before = usedHeap();
    List<E4Client> clients = builder.apply(CLIENTS);
    long after = usedHeap();
    if (clients.size() != CLIENTS) {
      throw new IllegalStateException("clients were lost");
    }
    return (after - before) / CLIENTS;
  }

  private static List<E4Client> buildOnEndedThread(int count, int topicKeys) {
    List<E4Client> clients = new ArrayList<>(count);
    Thread builder = new Thread(() -> clients.addAll(build(count, topicKeys)));
    builder.start();
    try {
      builder.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building clients", e);
    }
    return clients;
  }

  private static List<E4Client> build(int count, int topicKeys) {
    List<E4Client> clients = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      E4Client client = E4Client.builder().name("device-" + i).key(Keys.randomKey()).build();
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
