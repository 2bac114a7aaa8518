package io.e4j.server.internal.outbox;

import io.e4j.core.Commands;
import io.e4j.server.internal.transport.Transport;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Protects commands at send time and publishes them, no faster than the configured rate. Shared by
 * the outbox rows' sends and the rotation walk, so that one rate covers both. Any thread.
 */
final class Sender {
  private final Transport transport;
  private final Clock clock;
  private final int ratePerSecond;
  private final Commands.Protector protector = new Commands.Protector();

  /** When the next send may go, under the rate. Guarded by this. */
  private long nextSendNanos = System.nanoTime();

  /**
   * The latest second a command was stamped with. Stamps never go back, even when the clock does
   * (an NTP step): a device refuses a command older than the newest it applied.
   */
  private final AtomicLong latestStamp = new AtomicLong();

  Sender(Transport transport, Clock clock, int ratePerSecond) {
    this.transport = transport;
    this.clock = clock;
    this.ratePerSecond = ratePerSecond;
  }

  /**
   * Waits for this send's turn under the rate, then protects {@code command} under {@code key} with
   * the time now, which the device checks against its clock.
   */
  ProtectedCommand protect(byte[] command, byte[] key) {
    pace();
    Instant now = stamp(clock.instant());
    return new ProtectedCommand(protector.protect(command, key, now), now);
  }

  /** {@code now}, or the latest second stamped if the clock went back since. */
  private Instant stamp(Instant now) {
    long second = latestStamp.accumulateAndGet(now.getEpochSecond(), Math::max);
    return second == now.getEpochSecond() ? now : Instant.ofEpochSecond(second);
  }

  /** Completes when the transport acknowledged the message, exceptionally if it could not. */
  CompletableFuture<Void> publish(byte[] deviceId, byte[] message) {
    return transport.send(deviceId, message);
  }

  /** Spreads sends out when a rate limit is configured. */
  private void pace() {
    if (ratePerSecond <= 0) {
      return;
    }
    synchronized (this) {
      long now = System.nanoTime();
      long wait = nextSendNanos - now;
      nextSendNanos = Math.max(now, nextSendNanos) + 1_000_000_000L / ratePerSecond;
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** A command as it goes on the wire (timestamp, tag, ciphertext), and its timestamp. */
  record ProtectedCommand(byte[] message, Instant at) {}
}
