package io.e4j.server.internal.convergence;

import io.e4j.server.internal.operations.C2Operations;
import io.e4j.server.internal.outbox.Deliveries;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.store.DeviceStore;
import io.e4j.server.internal.store.PresenceStore;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the broker tells C2 of devices' presence: a device's control topic gained a subscriber, or
 * its last subscriber went away. A device that does not report its keys (Teserakt's clients, or an
 * e4j device before its first report) and may have missed commands while it was away — a broker
 * drops a message for a client with no session — is sent again what it needs ({@link
 * C2Operations#welcomeBack}) as soon as it subscribes. A device that reports needs nothing here:
 * its report, sent on connecting, says what it lacks.
 *
 * <p>Events are handled in order on one thread of C2's, never on the broker's.
 */
public final class DevicePresence implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DevicePresence.class);
  private static final HexFormat HEX = HexFormat.of();

  /**
   * The broker tells C2 a device left a moment after it did: what was sent in that moment may be
   * lost too. Sending it again costs nothing (devices ignore a key they hold).
   */
  private static final java.time.Duration AWAY_MARGIN = java.time.Duration.ofSeconds(10);

  private final Database database;
  private final DeviceStore devices;
  private final PresenceStore presence;
  private final C2Operations operations;
  private final Clock clock;
  private final Instant startedAt;
  private final ExecutorService events =
      Executors.newSingleThreadExecutor(
          task -> {
            Thread thread = new Thread(task, "e4j-presence");
            thread.setDaemon(true);
            return thread;
          });

  /** Devices whose control topic has a subscriber now, as far as this node heard. */
  private final Map<String, Instant> present = new ConcurrentHashMap<>();

  public DevicePresence(
      Database database,
      DeviceStore devices,
      PresenceStore presence,
      C2Operations operations,
      Clock clock) {
    this.database = database;
    this.devices = devices;
    this.presence = presence;
    this.operations = operations;
    this.clock = clock;
    this.startedAt = clock.instant();
  }

  /** The device's control topic gained a subscriber; any thread. */
  public void subscribed(byte[] deviceId) {
    String hex = HEX.formatHex(deviceId);
    Instant now = clock.instant();
    present.put(hex, now);
    submit(() -> arrived(deviceId.clone(), hex, now));
  }

  /** The device's control topic lost its last subscriber; any thread. */
  public void gone(byte[] deviceId) {
    String hex = HEX.formatHex(deviceId);
    Instant now = clock.instant();
    present.remove(hex);
    submit(() -> left(deviceId.clone(), hex, now));
  }

  private void left(byte[] id, String hex, Instant now) {
    try {
      database.useTransaction(handle -> presence.gone(handle, id, now));
    } catch (RuntimeException e) {
      LOG.warn("Device {} went away; C2 could not record it: {}", hex, e.getMessage());
    }
  }

  /** Whether this node heard that the device's control topic has a subscriber now. */
  public boolean isPresent(byte[] deviceId) {
    return present.containsKey(HEX.formatHex(deviceId));
  }

  private void submit(Runnable task) {
    try {
      events.execute(task);
    } catch (RejectedExecutionException closing) {
      // Closing: the device's next subscription is handled by the next start.
    }
  }

  private void arrived(byte[] id, String hex, Instant now) {
    try {
      Optional<Instant> missedSince =
          database.inTransaction(
              handle -> {
                if (!devices.exists(handle, id)) {
                  return Optional.<Instant>empty();
                }
                boolean seenBefore = presence.everSeen(handle, id);
                boolean reports = presence.lastReport(handle, id).isPresent();
                Optional<Instant> away = presence.subscribed(handle, id, now);
                if (reports) {
                  return Optional.<Instant>empty();
                }
                // Away since it left; or, present when this node last heard, since this node
                // started; or since ever, for a device never seen.
                Instant since =
                    away.map(left -> left.minus(AWAY_MARGIN))
                        .orElse(seenBefore ? startedAt : Instant.EPOCH);
                boolean missed =
                    Deliveries.anySentSince(handle, id, since)
                        || presence.keysChangedSince(handle, id, since);
                return missed ? Optional.of(since) : Optional.<Instant>empty();
              });
      if (missedSince.isPresent()) {
        LOG.info(
            "Device {} subscribed after missing commands since {}: sending what it needs",
            hex,
            missedSince.get());
        operations.welcomeBack(id, missedSince.get());
      }
    } catch (RuntimeException e) {
      LOG.warn("Device {} subscribed; C2 could not check what it missed: {}", hex, e.getMessage());
    }
  }

  @Override
  public void close() {
    events.shutdownNow();
    try {
      events.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
