package io.e4j.server.internal.outbox;

import io.e4j.server.C2Config;
import io.e4j.server.C2Exception;
import io.e4j.server.DeliveryStatus;
import io.e4j.server.EventType;
import io.e4j.server.internal.journal.Entry;
import io.e4j.server.internal.journal.Journal;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.transport.Transport;
import io.e4j.server.internal.vault.SealedColumn;
import io.e4j.server.internal.vault.Vault;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox: one thread reads due commands in ID order, protects each at send time (fresh
 * timestamp), and keeps up to {@code maxInFlight} of them on the wire at once; outcomes are written
 * back in batches. Topic fan-outs (rotations) are walked beside the rows by a {@link
 * TopicFanoutWalk}, one at a time in position order; commands committed after the fan-out being
 * walked wait until it finishes.
 *
 * <p>Order per device: a command goes out only when every earlier (lower position) undelivered
 * command of its device is already on its way, and then only after that one is acknowledged; if an
 * earlier one fails, the later ones wait for its retry. A failed command is retried with
 * exponential backoff, without limit: a key update is never dropped. Nothing here is lost by a
 * crash: rows are marked delivered only after the transport acknowledged them, so a restart sends
 * at most a few again, which devices treat as the no-ops they are.
 */
public final class Dispatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
  private static final Duration IDLE_POLL = Duration.ofSeconds(1);
  private static final Duration BUSY_POLL = Duration.ofMillis(20);
  private static final Duration PURGE_EVERY = Duration.ofMinutes(1);

  /** Timestamp (8) and SIV tag (16) of a protected command: equal heads, equal messages. */
  private static final int PROTECTED_HEAD = 24;

  private final Database database;
  private final OutboxStore store = new OutboxStore();
  private final Journal journal;
  private final DeliveryMeter meter;
  private final Vault vault;
  private final Transport transport;
  private final Clock clock;
  private final C2Config.Delivery settings;
  private final int maxInFlight;
  private final Sender sender;
  private final Backoff backoff;
  private final Thread thread;

  /** Sends a device's next command once its previous one is acknowledged, off the I/O threads. */
  private final ExecutorService chained = daemonThread("e4j-delivery-chain");

  /** Protects and sends a topic fan-out's chunks while the delivery thread reads the next. */
  private final ExecutorService fanoutSender = daemonThread("e4j-fanout-sender");

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition signal = lock.newCondition();
  private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();

  /** Rows on the wire or with an outcome not yet written: never fetched twice. */
  private final Set<Long> known = ConcurrentHashMap.newKeySet();

  /** The last command on the wire for each device, which the device's next one waits for. */
  private final Map<ByteBuffer, CompletableFuture<Outcome>> tails = new ConcurrentHashMap<>();

  /** What each device was sent in the current second, to never send it the same bytes twice. */
  private final Map<ByteBuffer, RecentSends> recentSends = new ConcurrentHashMap<>();

  private volatile boolean running = true;
  private volatile boolean signalled;
  private volatile boolean reconnected;
  private long cursor;
  private TopicFanoutWalk fanout;
  private long sweptSecond;
  private Instant nextPurge = Instant.MIN;

  public Dispatcher(
      Database database,
      Vault vault,
      Transport transport,
      Journal journal,
      DeliveryMeter meter,
      Clock clock,
      C2Config.Delivery settings) {
    this.database = database;
    this.journal = journal;
    this.meter = meter;
    this.vault = vault;
    this.transport = transport;
    this.clock = clock;
    this.settings = settings;
    this.maxInFlight = Math.min(settings.maxInFlight(), transport.inFlightLimit());
    this.sender = new Sender(transport, clock, settings.ratePerSecond());
    this.backoff = Backoff.of(settings);
    this.thread = new Thread(this::run, "e4j-delivery");
    this.thread.setDaemon(true);
    transport.onReconnected(
        () -> {
          reconnected = true;
          wake();
        });
  }

  private static ExecutorService daemonThread(String name) {
    return Executors.newSingleThreadExecutor(
        runnable -> {
          Thread thread = new Thread(runnable, name);
          thread.setDaemon(true);
          return thread;
        });
  }

  public void start() {
    thread.start();
  }

  /** New commands were committed: look for them now rather than at the next poll. */
  public void wake() {
    lock.lock();
    try {
      signalled = true;
      signal.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    LOG.info("delivering commands through {}", transport.describe());
    while (running) {
      try {
        step();
      } catch (RuntimeException e) {
        LOG.error("delivery round failed; retrying", e);
        pause(IDLE_POLL);
      }
    }
    drain();
  }

  private void step() {
    writeOutcomes();
    if (fanout != null && fanout.record(false)) {
      LOG.info("rotation at position {} delivered", fanout.position());
      fanout.close();
      fanout = null;
    }
    retryFailedAfterReconnection();
    purgeOldRows();
    long second = clock.instant().getEpochSecond();
    if (second != sweptSecond) {
      recentSends.values().removeIf(recent -> recent.second() < second);
      sweptSecond = second;
    }
    long gate = gate();
    int room = room();
    if (room <= 0) {
      pause(BUSY_POLL);
      return;
    }
    List<OutboxRow> rows = fetchDue(limitFor(room), gate);
    boolean reachedEnd = rows.size() < limitFor(room);
    cursor = reachedEnd ? 0 : rows.get(rows.size() - 1).id();
    int sent = send(rows);
    int visited = fanout == null ? 0 : fanout.walk(limitFor(room()));
    if (reachedEnd && sent == 0 && visited == 0) {
      boolean idle = known.isEmpty() && (fanout == null || fanout.sendsInProgress() == 0);
      pause(idle && fanout == null ? IDLE_POLL : BUSY_POLL);
    }
  }

  private int room() {
    return maxInFlight - known.size() - (fanout == null ? 0 : fanout.unrecorded());
  }

  private int limitFor(int room) {
    int limit = Math.min(room, settings.batchSize());
    if (settings.ratePerSecond() > 0) {
      // Paced sends block this thread: take a tenth of a second's worth at a time, so outcomes
      // are recorded as they come rather than after a long batch.
      limit = Math.min(limit, Math.max(1, settings.ratePerSecond() / 10));
    }
    return limit;
  }

  /**
   * The highest position whose rows may go now: that of the earliest unfinished topic fan-out,
   * which it starts walking if it is not already, or else the last committed position (rows
   * committed later might come after a fan-out committed meanwhile). Both read in one statement.
   */
  private long gate() {
    OutboxStore.Positions positions = database.read(store::positions);
    long committed = positions.lastCommitted();
    if (positions.earliestUnfinishedRotation().isEmpty()) {
      return committed;
    }
    long earliestFanout = positions.earliestUnfinishedRotation().getAsLong();
    if (fanout == null) {
      fanout =
          TopicFanoutWalk.resume(
              new TopicFanoutWalk.Parts(
                  database,
                  store,
                  vault,
                  sender,
                  journal,
                  meter,
                  clock,
                  backoff,
                  settings.ackTimeout(),
                  fanoutSender,
                  this::wake),
              Math.max(1, Math.min(limitFor(maxInFlight), maxInFlight / 4)),
              earliestFanout);
    }
    return Math.min(committed, fanout.position());
  }

  /** Due pending and failed rows after the cursor, at or before the gate, in ID order. */
  private List<OutboxRow> fetchDue(int limit, long gate) {
    Instant now = clock.instant();
    return database.read(handle -> store.due(handle, cursor, now, gate, limit));
  }

  private int send(List<OutboxRow> fetched) {
    List<OutboxRow> sendable = inOrder(fetched);
    if (sendable.isEmpty()) {
      return 0;
    }
    Map<ByteBuffer, RuntimeException> unreadable = new HashMap<>();
    Map<ByteBuffer, byte[]> commands = commandsOf(sendable, unreadable);
    // A value that does not open fails its own row, never the others; the later commands of its
    // device wait for it.
    Set<ByteBuffer> stopped = new HashSet<>();
    int dispatched = 0;
    try {
      for (OutboxRow row : sendable) {
        ByteBuffer device = ByteBuffer.wrap(row.deviceId());
        if (stopped.contains(device)) {
          continue;
        }
        RuntimeException failure = null;
        byte[] command = commands.get(ByteBuffer.wrap(row.commandId()));
        byte[] key = null;
        if (command == null) {
          failure =
              unreadable.getOrDefault(
                  ByteBuffer.wrap(row.commandId()), new IllegalStateException("command not found"));
        } else {
          try {
            key = keyOf(row);
          } catch (C2Exception e) {
            failure = e;
          }
          if (failure == null && key == null) {
            failure = new IllegalStateException("device not found");
          }
        }
        if (failure != null) {
          stopped.add(device);
          outcomes.add(Outcome.failed(row, failure));
          continue;
        }
        dispatch(row, command.clone(), key);
        dispatched++;
      }
    } finally {
      commands.values().forEach(command -> Arrays.fill(command, (byte) 0));
    }
    return dispatched;
  }

  /**
   * The rows of {@code fetched} that may go now: every earlier undelivered command of their device
   * is already on its way (and they will follow it).
   */
  private List<OutboxRow> inOrder(List<OutboxRow> fetched) {
    List<OutboxRow> fresh = fetched.stream().filter(row -> !known.contains(row.id())).toList();
    List<OutboxRow> behind = fresh.stream().filter(OutboxRow::behind).toList();
    Map<ByteBuffer, List<Place>> undelivered = behind.isEmpty() ? Map.of() : undeliveredOf(behind);
    Set<Long> addedNow = new HashSet<>();
    List<OutboxRow> sendable = new ArrayList<>();
    for (OutboxRow row : fresh) {
      Place place = row.place();
      boolean earlierAllOnTheirWay =
          !row.behind()
              || undelivered.getOrDefault(ByteBuffer.wrap(row.deviceId()), List.of()).stream()
                  .filter(earlier -> earlier.isBefore(place))
                  .allMatch(
                      earlier -> known.contains(earlier.id()) || addedNow.contains(earlier.id()));
      if (earlierAllOnTheirWay) {
        addedNow.add(row.id());
        sendable.add(row);
      }
    }
    return sendable;
  }

  /**
   * The commands of {@code rows}, opened, by ID; those that do not open go to {@code unreadable}.
   */
  private Map<ByteBuffer, byte[]> commandsOf(
      List<OutboxRow> rows, Map<ByteBuffer, RuntimeException> unreadable) {
    Map<ByteBuffer, byte[]> ids = new HashMap<>();
    rows.forEach(row -> ids.put(ByteBuffer.wrap(row.commandId()), row.commandId()));
    Map<ByteBuffer, byte[]> commands = new HashMap<>();
    database.read(
        handle -> {
          store.readCommands(
              handle,
              List.copyOf(ids.values()),
              (commandId, sealedCommand) -> {
                ByteBuffer id = ByteBuffer.wrap(commandId);
                try {
                  commands.put(
                      id, vault.open(sealedCommand, SealedColumn.COMMAND.label(commandId)));
                } catch (C2Exception e) {
                  unreadable.put(id, e);
                }
              });
          return null;
        });
    return commands;
  }

  /** The key a row is protected under: pinned to it, or its device's current one. */
  private byte[] keyOf(OutboxRow row) {
    if (row.pinnedKey() != null) {
      return vault.open(
          row.pinnedKey(), SealedColumn.OUTBOX_COMMAND_KEY.label(row.deviceId(), row.id()));
    }
    if (row.deviceKey() != null) {
      return vault.open(row.deviceKey(), SealedColumn.DEVICE_KEY.label(row.deviceId()));
    }
    return null;
  }

  /** For each device of {@code rows}: the places of its undelivered commands. */
  private Map<ByteBuffer, List<Place>> undeliveredOf(List<OutboxRow> rows) {
    List<byte[]> devices = new ArrayList<>();
    Set<ByteBuffer> seen = new HashSet<>();
    for (OutboxRow row : rows) {
      if (seen.add(ByteBuffer.wrap(row.deviceId()))) {
        devices.add(row.deviceId());
      }
    }
    return database.read(handle -> store.undeliveredPlaces(handle, devices));
  }

  private void dispatch(OutboxRow row, byte[] command, byte[] key) {
    known.add(row.id());
    ByteBuffer device = ByteBuffer.wrap(row.deviceId());
    CompletableFuture<Outcome> previous = tails.get(device);
    CompletableFuture<Outcome> outcome;
    if (previous == null) {
      outcome = publish(row, command, key);
    } else {
      outcome =
          previous.thenComposeAsync(
              earlier ->
                  earlier.status() == DeliveryStatus.DELIVERED
                      ? publish(row, command, key)
                      : skip(row, command, key),
              chained);
    }
    tails.put(device, outcome);
    outcome.whenComplete(
        (result, failure) -> {
          tails.remove(device, outcome);
          outcomes.add(result != null ? result : Outcome.failed(row, failure));
          if (known.size() >= maxInFlight || tails.isEmpty()) {
            wake();
          }
        });
  }

  private CompletableFuture<Outcome> publish(OutboxRow row, byte[] command, byte[] key) {
    Instant now;
    byte[] message;
    try {
      Sender.ProtectedCommand protectedCommand = sender.protect(command, key);
      now = protectedCommand.at();
      message = protectedCommand.message();
    } catch (RuntimeException e) {
      Arrays.fill(command, (byte) 0);
      Arrays.fill(key, (byte) 0);
      return CompletableFuture.completedFuture(Outcome.failed(row, e));
    }
    if (!firstOfItsKindThisSecond(row.deviceId(), message, now.getEpochSecond())) {
      // Byte-identical to a command the device got this second (same command, key and
      // timestamp): its replay protection would drop it. Protect it again in the next second.
      long wait = 1_000 - now.getNano() / 1_000_000 + 1;
      Executor nextSecond = CompletableFuture.delayedExecutor(wait, TimeUnit.MILLISECONDS, chained);
      return CompletableFuture.supplyAsync(() -> null, nextSecond)
          .thenCompose(ignored -> publish(row, command, key));
    }
    Arrays.fill(command, (byte) 0);
    Arrays.fill(key, (byte) 0);
    return sender
        .publish(row.deviceId(), message)
        .orTimeout(settings.ackTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (ok, failure) ->
                failure == null ? Outcome.delivered(row) : Outcome.failed(row, failure));
  }

  /**
   * Records the timestamp and tag of a command for its device; false if the device already got the
   * same ones this second. A device's commands go out one at a time, so no two threads record for
   * the same device at once.
   */
  private boolean firstOfItsKindThisSecond(byte[] deviceId, byte[] message, long second) {
    ByteBuffer head = ByteBuffer.wrap(Arrays.copyOf(message, PROTECTED_HEAD));
    RecentSends recent =
        recentSends.compute(
            ByteBuffer.wrap(deviceId),
            (device, previous) ->
                previous == null || previous.second() != second
                    ? new RecentSends(second, new HashSet<>())
                    : previous);
    return recent.heads().add(head);
  }

  private static CompletableFuture<Outcome> skip(OutboxRow row, byte[] command, byte[] key) {
    Arrays.fill(command, (byte) 0);
    Arrays.fill(key, (byte) 0);
    return CompletableFuture.completedFuture(Outcome.skipped(row));
  }

  private void writeOutcomes() {
    List<Outcome> batch = new ArrayList<>();
    for (Outcome outcome; (outcome = outcomes.poll()) != null; ) {
      batch.add(outcome);
    }
    if (batch.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    long[] delivered =
        batch.stream()
            .filter(o -> o.status() == DeliveryStatus.DELIVERED)
            .mapToLong(o -> o.row().id())
            .sorted()
            .toArray();
    try {
      database.useTransaction(
          handle -> {
            store.markDelivered(handle, delivered, now);
            store.markFailed(
                handle,
                batch.stream()
                    .filter(outcome -> outcome.status() == DeliveryStatus.FAILED)
                    .map(
                        outcome ->
                            new OutboxStore.Retry(
                                outcome.row().id(),
                                outcome.error(),
                                now.plus(backoff.after(outcome.row().attempts() + 1))))
                    .toList());
            journal.append(handle, Optional.empty(), events(batch));
          });
      journal.committed();
    } catch (RuntimeException e) {
      // Kept for the next round: their rows stay out of the fetch until the outcome is recorded.
      outcomes.addAll(batch);
      throw e;
    }
    long failures = batch.stream().filter(o -> o.status() == DeliveryStatus.FAILED).count();
    meter.delivered(batch.size() - (int) failures);
    meter.failed((int) failures);
    if (failures > 0) {
      LOG.warn(
          "{} of {} commands not acknowledged, will retry: {}",
          failures,
          batch.size(),
          batch.stream()
              .filter(o -> o.status() == DeliveryStatus.FAILED)
              .findFirst()
              .orElseThrow()
              .error());
    }
    batch.forEach(outcome -> known.remove(outcome.row().id()));
  }

  /** Each delivery, and each command's first failure (its retries are not events). */
  private static List<Entry> events(List<Outcome> batch) {
    List<Entry> events = new ArrayList<>();
    for (Outcome outcome : batch) {
      OutboxRow row = outcome.row();
      if (outcome.status() == DeliveryStatus.DELIVERED) {
        events.add(
            new Entry(
                EventType.COMMAND_DELIVERED,
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

  /**
   * The transport is back after an outage that failed sends: what failed is due now rather than at
   * the end of its backoff, up to retryMax away.
   */
  private void retryFailedAfterReconnection() {
    if (!reconnected) {
      return;
    }
    reconnected = false;
    Instant now = clock.instant();
    int due = database.inTransaction(handle -> store.retryFailedNow(handle, now));
    if (due > 0) {
      LOG.info("{} failed commands retried now that {} is back", due, transport.describe());
    }
  }

  private void purgeOldRows() {
    Instant now = clock.instant();
    if (now.isBefore(nextPurge)) {
      return;
    }
    nextPurge = now.plus(PURGE_EVERY);
    Instant before = now.minus(settings.retention());
    int purged = database.inTransaction(handle -> store.purge(handle, before));
    if (purged > 0) {
      LOG.info("purged {} finished commands older than {}", purged, settings.retention());
    }
  }

  private void pause(Duration duration) {
    lock.lock();
    try {
      if (!signalled && running) {
        signal.await(duration.toMillis(), TimeUnit.MILLISECONDS);
      }
      signalled = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    } finally {
      lock.unlock();
    }
  }

  /** Waits for the commands on the wire, then records their outcomes. */
  private void drain() {
    CompletableFuture<?>[] onTheWire = tails.values().toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(onTheWire)
          .get(settings.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
      if (fanout != null) {
        fanout.awaitSends(settings.ackTimeout());
      }
    } catch (Exception e) {
      LOG.warn(
          "{} commands still unacknowledged at shutdown; they are resent at the next start",
          tails.size() + (fanout == null ? 0 : fanout.sendsInProgress()));
    }
    try {
      writeOutcomes();
      if (fanout != null) {
        fanout.record(true);
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "could not record the last outcomes; those commands are resent at the next start", e);
    } finally {
      if (fanout != null) {
        fanout.close();
      }
    }
  }

  /** Stops fetching, lets the commands on the wire finish and records their outcomes. */
  @Override
  public void close() {
    running = false;
    wake();
    try {
      thread.join(settings.ackTimeout().toMillis() + 5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    chained.shutdownNow();
    fanoutSender.shutdownNow();
  }

  private record RecentSends(long second, Set<ByteBuffer> heads) {}
}
