package io.e4j.server.internal.broker;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * C2's own threads for the access checks that ask the {@link DeviceDirectory} (C2's database):
 * HiveMQ's threads never wait on it, HiveMQ waits for the answer asynchronously instead.
 */
final class Lookups implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Lookups.class);

  /** How long HiveMQ waits for an answer before refusing. */
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static final int THREADS = 4;
  private static final int QUEUE = 10_000;

  private final ThreadPoolExecutor threads;

  Lookups() {
    AtomicInteger number = new AtomicInteger();
    threads =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            runnable -> {
              Thread thread = new Thread(runnable, "e4j-broker-access-" + number.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Runs {@code work} on a lookup thread, then {@code resume}. If {@code work} fails (C2's database
   * unreachable, say), or the lookup threads are {@value #QUEUE} checks behind, the client is
   * refused by {@code refuse}: never left waiting.
   */
  void offload(Runnable work, Runnable refuse, Runnable resume) {
    try {
      threads.execute(
          () -> {
            try {
              work.run();
            } catch (RuntimeException e) {
              LOG.warn("broker access check failed: {}", e.toString());
              refuseQuietly(refuse);
            } finally {
              resume.run();
            }
          });
    } catch (RejectedExecutionException e) {
      LOG.warn("broker access checks are {} behind: refusing", QUEUE);
      refuseQuietly(refuse);
      resume.run();
    }
  }

  /** A decision taken already (the failure came after it) stands. */
  private static void refuseQuietly(Runnable refuse) {
    try {
      refuse.run();
    } catch (UnsupportedOperationException decidedAlready) {
      LOG.debug("broker access decision was taken before the failure");
    }
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
