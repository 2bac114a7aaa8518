package io.e4j.server.internal.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.e4j.server.C2Config.EmbeddedMqtt.Access;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the embedded broker takes from C2's process: no native library of RocksDB's, a bounded Xodus
 * cache, no JMX beans; and how long it takes to start and stop.
 */
class BrokerResourcesIT {
  @TempDir Path directory;

  @Test
  void theBroker_loadsNoNativeLibrary_capsItsCache_andRegistersNoJmxBeans() throws Exception {
    try (BrokerFixture fixture =
        new BrokerFixture(directory, Access.OPEN, new InMemoryDirectory()).start()) {
      fixture.c2Publishes("e4/" + "00".repeat(16), "a command nobody receives");
      assertThat(Files.readString(Path.of("/proc/self/maps"))).doesNotContain("rocksdb");
      // Xodus would take up to half the heap.
      assertThat(xodusCacheBytes())
          .isPositive()
          .isLessThanOrEqualTo(
              Runtime.getRuntime().maxMemory() / 100 * EmbeddedBroker.XODUS_CACHE_HEAP_PERCENT);
      assertThat(
              ManagementFactory.getPlatformMBeanServer()
                  .queryNames(new ObjectName("metrics:*"), null))
          .isEmpty();
      System.out.printf(
          "embedded broker started in %d ms%n", fixture.broker.startTime().toMillis());
      long stopping = System.nanoTime();
      fixture.stopBroker();
      System.out.printf(
          "embedded broker stopped in %d ms%n", (System.nanoTime() - stopping) / 1_000_000);
      fixture.start();
      System.out.printf(
          "embedded broker started again (same JVM, same directory) in %d ms; load average %s%n",
          fixture.broker.startTime().toMillis(),
          Files.readString(Path.of("/proc/loadavg")).strip());
    }
  }

  /** The memory Xodus' shared log cache may hold (a private field of Xodus' own). */
  private static long xodusCacheBytes() throws Exception {
    Field shared = Class.forName("jetbrains.exodus.log.Log").getDeclaredField("sharedCache");
    shared.setAccessible(true);
    Object cache = shared.get(null);
    Field memory = Class.forName("jetbrains.exodus.log.LogCache").getDeclaredField("memoryUsage");
    memory.setAccessible(true);
    return memory.getLong(cache);
  }
}
