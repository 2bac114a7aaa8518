package io.e4j.server.internal.broker;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands presence to C2's {@link BrokerPresence} on a thread of its own, in the order the broker saw
 * it, so that neither a slow listener nor one that publishes from its callback holds a broker
 * thread. The queue is bounded: past {@value #CAPACITY} waiting events, new ones are dropped and
 * counted (C2's delivery retries on its own; presence only makes it sooner).
 */
final class PresenceEvents implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceEvents.class);
  static final int CAPACITY = 100_000;

  private final BrokerPresence presence;
  private final ThreadPoolExecutor thread;
  private final AtomicLong dropped = new AtomicLong();

  PresenceEvents(BrokerPresence presence) {
    this.presence = presence;
    this.thread =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(CAPACITY),
            runnable -> {
              Thread named = new Thread(runnable, "e4j-broker-presence");
              named.setDaemon(true);
              return named;
            });
  }

  void controlTopicSubscribed(byte[] deviceId, String clientId) {
    hand(() -> presence.controlTopicSubscribed(deviceId.clone(), clientId), clientId);
  }

  void clientConnected(String clientId, byte[] deviceId) {
    hand(() -> presence.clientConnected(clientId, deviceId), clientId);
  }

  void clientDisconnected(String clientId, byte[] deviceId) {
    hand(() -> presence.clientDisconnected(clientId, deviceId), clientId);
  }

  /** Events dropped because the listener fell {@value #CAPACITY} behind. */
  long dropped() {
    return dropped.get();
  }

  private void hand(Runnable event, String clientId) {
    try {
      thread.execute(
          () -> {
            try {
              event.run();
            } catch (RuntimeException e) {
              LOG.warn("broker presence listener failed on client {}", clientId, e);
            }
          });
    } catch (RejectedExecutionException e) {
      if (dropped.getAndIncrement() % 10_000 == 0) {
        LOG.warn(
            "broker presence listener is {} events behind; dropping events ({} so far)",
            CAPACITY,
            dropped.get());
      }
    }
  }

  /** Lets queued events run for up to 5 s, then stops. */
  @Override
  public void close() {
    thread.shutdown();
    try {
      if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      thread.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
