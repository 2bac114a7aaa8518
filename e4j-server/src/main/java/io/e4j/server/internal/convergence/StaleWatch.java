package io.e4j.server.internal.convergence;

import io.e4j.server.EventType;
import io.e4j.server.internal.journal.Entry;
import io.e4j.server.internal.journal.Journal;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.store.DeviceStore;
import io.e4j.server.internal.store.PresenceStore;
import io.e4j.server.internal.store.PresenceStore.TopicCount;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every so often: marks stale the reporting devices that have not confirmed a linked topic's
 * current key for longer than the stale period (one {@code DEVICE_STALE} event each, until they
 * confirm), and counts, per topic, the devices on its current key for the metrics.
 */
public final class StaleWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StaleWatch.class);
  private static final int DEVICES_PER_ROUND = 1_000;

  /** Topics counted for the metrics: one time series each, so bounded. */
  static final int TOPICS_COUNTED = 1_000;

  private final Database database;
  private final DeviceStore devices;
  private final PresenceStore presence;
  private final Journal journal;
  private final Clock clock;
  private final Duration staleAfter;
  private final Consumer<List<TopicCount>> counted;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "e4j-stale-watch");
            thread.setDaemon(true);
            return thread;
          });

  /**
   * @param staleAfter how long a linked topic's current key may stay unconfirmed
   * @param counted receives the per-topic counts after each round
   */
  public StaleWatch(
      Database database,
      DeviceStore devices,
      PresenceStore presence,
      Journal journal,
      Clock clock,
      Duration staleAfter,
      Duration every,
      Consumer<List<TopicCount>> counted) {
    this.database = database;
    this.devices = devices;
    this.presence = presence;
    this.journal = journal;
    this.clock = clock;
    this.staleAfter = staleAfter;
    this.counted = counted;
    timer.scheduleWithFixedDelay(
        this::round, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One round: newly stale devices, then the counts. */
  void round() {
    try {
      markStale();
      counted.accept(database.read(handle -> presence.topicCounts(handle, TOPICS_COUNTED)));
    } catch (RuntimeException e) {
      LOG.warn("Stale devices could not be checked: {}", e.getMessage());
    }
  }

  /** Marks the reporting devices behind since before the stale period; how many. */
  int markStale() {
    Instant now = clock.instant();
    int marked =
        database.inTransaction(
            handle -> {
              List<Entry> events = new ArrayList<>();
              for (byte[] id :
                  presence.newlyStale(handle, now.minus(staleAfter), DEVICES_PER_ROUND)) {
                if (presence.setStale(handle, id, true, now)) {
                  events.add(
                      Entry.device(
                              EventType.DEVICE_STALE,
                              id,
                              devices.info(handle, id).name().orElse(null))
                          .withDetail(
                              "a linked topic's current key unconfirmed for over "
                                  + staleAfter.toMinutes()
                                  + " minutes"));
                }
              }
              journal.append(handle, Optional.empty(), events);
              return events.size();
            });
    if (marked > 0) {
      journal.committed();
    }
    return marked;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
