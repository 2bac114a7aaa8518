package io.e4j.server.internal.outbox;

import io.e4j.server.EventType;
import io.e4j.server.internal.journal.Entry;
import io.e4j.server.internal.journal.Journal;
import io.e4j.server.internal.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records how the sends of outbox rows ended, in batches: delivered rows, failed ones with their
 * next attempt after the backoff, and an event for each delivery and each command's first failure.
 * A row stays on its way in the plan until its outcome is recorded, so it is never sent twice
 * meanwhile; outcomes the database refuses are kept for the next batch.
 */
final class OutcomeRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(OutcomeRecorder.class);

  private final Database database;
  private final OutboxStore store;
  private final Journal journal;
  private final DeliveryMeter meter;
  private final Clock clock;
  private final DeliveryPlan plan;
  private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();

  OutcomeRecorder(
      Database database,
      OutboxStore store,
      Journal journal,
      DeliveryMeter meter,
      Clock clock,
      DeliveryPlan plan) {
    this.database = database;
    this.store = store;
    this.journal = journal;
    this.meter = meter;
    this.clock = clock;
    this.plan = plan;
  }

  /** Any thread. */
  void add(Outcome outcome) {
    outcomes.add(outcome);
  }

  /** Writes the outcomes added so far in one transaction. The delivery thread. */
  void write() {
    List<Outcome> batch = new ArrayList<>();
    for (Outcome outcome; (outcome = outcomes.poll()) != null; ) {
      batch.add(outcome);
    }
    if (batch.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    long[] delivered =
        batch.stream().filter(Outcome::isDelivered).mapToLong(o -> o.row().id()).sorted().toArray();
    List<OutboxStore.Retry> retries =
        batch.stream()
            .filter(Outcome::isFailed)
            .map(
                o ->
                    new OutboxStore.Retry(
                        o.row().id(), o.error(), plan.retryAt(now, o.row().attempts())))
            .toList();
    try {
      database.useTransaction(
          handle -> {
            store.markDelivered(handle, delivered, now);
            store.markFailed(handle, retries);
            journal.append(handle, Optional.empty(), events(batch));
          });
      journal.committed();
    } catch (RuntimeException e) {
      // Kept for the next round: their rows stay out of the fetch until the outcome is recorded.
      outcomes.addAll(batch);
      throw e;
    }
    // Counted as the meter always has: what did not fail (skipped rows too) as delivered.
    meter.delivered(batch.size() - retries.size());
    meter.failed(retries.size());
    if (!retries.isEmpty()) {
      LOG.warn(
          "{} of {} commands not acknowledged, will retry: {}",
          retries.size(),
          batch.size(),
          retries.get(0).error());
    }
    batch.forEach(outcome -> plan.recorded(outcome.row()));
  }

  /**
   * Each delivery, and each command's first failure (its retries are not events). A row skipped
   * behind a failure on its first attempt is told as a failure too, without an error.
   */
  private static List<Entry> events(List<Outcome> batch) {
    List<Entry> events = new ArrayList<>();
    for (Outcome outcome : batch) {
      OutboxRow row = outcome.row();
      if (outcome.isDelivered()) {
        events.add(
            new Entry(
                EventType.COMMAND_SENT,
                row.deviceId(),
                null,
                null,
                row.commandName(),
                0,
                "position " + row.position()));
      } else if (row.attempts() == 0) {
        events.add(
            new Entry(
                EventType.COMMAND_FAILED,
                row.deviceId(),
                null,
                null,
                row.commandName(),
                0,
                outcome.error()));
      }
    }
    return events;
  }
}
