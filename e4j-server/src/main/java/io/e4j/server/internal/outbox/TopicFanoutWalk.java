package io.e4j.server.internal.outbox;

import io.e4j.server.DeliveryStatus;
import io.e4j.server.EventType;
import io.e4j.server.internal.journal.Entry;
import io.e4j.server.internal.journal.Journal;
import io.e4j.server.internal.outbox.DeliveryPlan.RotationStep;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.vault.SealedColumn;
import io.e4j.server.internal.vault.Vault;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one topic fan-out (a rotation) by walking the topic's links in device order: each
 * device's command is protected and sent straight from the link, without an outbox row, which is
 * what lets a rotation for 100,000 devices go out at nearly the broker's own rate.
 *
 * <p>The dispatcher walks one fan-out at a time, the earliest unfinished one, and holds back every
 * command committed after it until it finishes, so a device still gets its commands in position
 * order. A device the walk cannot serve directly becomes an outbox row at the fan-out's position,
 * which the dispatcher then orders like any other: one with earlier commands still undelivered, and
 * one whose send failed (retried with backoff like any row). Devices linked after the fan-out are
 * not in its audience; a device whose key changed after it gets the command under the key it had,
 * kept for the walk by {@link OutboxWriter#keyChanging}. Which of these a device is, {@link
 * DeliveryPlan#rotationStep} decides.
 *
 * <p>Progress is persisted as "done through device X" once every device up to X is acknowledged or
 * has its row: after a crash the walk resumes there and sends the devices after X again, which they
 * treat as the no-ops they are. Used by the dispatcher's thread, except {@link #send}, which the
 * sender thread runs, and what notes otherwise.
 */
final class TopicFanoutWalk implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TopicFanoutWalk.class);
  private static final byte[] BEFORE_EVERY_DEVICE = new byte[0];

  private final Database database;
  private final OutboxStore store;
  private final RotationStore rotations = new RotationStore();
  private final Journal journal;
  private final DeliveryMeter meter;
  private final Vault vault;
  private final Sender sender;
  private final Clock clock;
  private final Backoff backoff;
  private final Duration ackTimeout;
  private final Executor senderThread;
  private final Runnable wake;

  /**
   * Devices per chunk at least, while sends are on the wire: a round trip to the database and a
   * wake-up of the dispatcher for every few acknowledgements would cost more than they deliver.
   */
  private final int chunk;

  private final Fanout fanout;
  private final long position;
  private final byte[] command;
  private final RotationStore.LinkQuery linkQuery;

  private byte[] walkedThrough;
  private boolean walked;

  /** Every device visited and not yet counted in the persisted progress, in walk order. */
  private final Deque<Visit> visits = new ArrayDeque<>();

  /** The size of {@link #visits}, for the transport's threads. */
  private volatile int unrecorded;

  /** Done with, but not yet in the persisted progress. */
  private byte[] unpersistedThrough;

  private int unpersisted;
  private Instant persistedAt;
  private final AtomicInteger acknowledgedSinceWake = new AtomicInteger();

  /** Visits whose send failed and that need their row; added to by the transport's threads. */
  private final ConcurrentLinkedQueue<Visit> failures = new ConcurrentLinkedQueue<>();

  private final Set<CompletableFuture<?>> onTheWire = ConcurrentHashMap.newKeySet();

  /** Chunks handed to the sender thread and not all sent yet. */
  private final Set<CompletableFuture<?>> beingSent = ConcurrentHashMap.newKeySet();

  private TopicFanoutWalk(
      Parts parts, int chunk, Fanout fanout, byte[] command, boolean earlierRowsMayExist) {
    this.database = parts.database();
    this.store = parts.store();
    this.journal = parts.journal();
    this.meter = parts.meter();
    this.vault = parts.vault();
    this.sender = parts.sender();
    this.clock = parts.clock();
    this.backoff = parts.backoff();
    this.ackTimeout = parts.ackTimeout();
    this.senderThread = parts.senderThread();
    this.wake = parts.wake();
    this.chunk = chunk;
    this.persistedAt = clock.instant();
    this.fanout = fanout;
    this.position = fanout.position();
    this.command = command;
    this.walkedThrough = fanout.doneThrough() == null ? BEFORE_EVERY_DEVICE : fanout.doneThrough();
    // Rows at or before this position only get delivered while the fan-out runs, never enqueued
    // (later commands wait for it): if there are none now, no device needs the per-device probe.
    this.linkQuery = rotations.linkQuery(database, earlierRowsMayExist);
  }

  /** The fan-out at {@code position}, ready to walk from where it was left. */
  static TopicFanoutWalk resume(Parts parts, int chunk, long position) {
    Vault vault = parts.vault();
    return parts
        .database()
        .read(
            handle -> {
              RotationStore rotations = new RotationStore();
              Fanout fanout = rotations.fanout(handle, position);
              byte[] command =
                  vault.open(
                      fanout.sealedCommand(), SealedColumn.COMMAND.label(fanout.commandId()));
              boolean earlierRowsMayExist = rotations.unsentAtOrBefore(handle, position);
              return new TopicFanoutWalk(parts, chunk, fanout, command, earlierRowsMayExist);
            });
  }

  long position() {
    return position;
  }

  /** Devices visited whose outcome is not recorded yet: they count against the in-flight limit. */
  int unrecorded() {
    return unrecorded;
  }

  /**
   * Visits up to {@code limit} more devices: sends each its command, or gives it a row. Waits for
   * room for a whole chunk while sends are on the wire.
   *
   * @return how many devices were visited
   */
  int walk(int limit) {
    if (walked || limit <= 0 || (limit < chunk && sendsInProgress() > 0)) {
      return 0;
    }
    List<FanoutLink> links =
        database.read(handle -> rotations.links(handle, linkQuery, fanout, walkedThrough, limit));
    // Rows and kept keys first: if the database fails here, nothing has changed and the next
    // round reads the same chunk again.
    List<RotationStep> steps = new ArrayList<>(links.size());
    List<FanoutLink> needRows = new ArrayList<>();
    List<byte[]> keptFor = new ArrayList<>();
    for (FanoutLink link : links) {
      RotationStep step = DeliveryPlan.rotationStep(link, position);
      steps.add(step);
      if (step == RotationStep.ROW_BEHIND_EARLIER_COMMANDS) {
        needRows.add(link);
      } else if (step == RotationStep.SEND_UNDER_KEPT_KEY) {
        keptFor.add(link.deviceId());
      }
    }
    if (!needRows.isEmpty()) {
      Instant now = clock.instant();
      database.useTransaction(
          handle -> {
            store.takePositions(handle, 1);
            for (FanoutLink link : needRows) {
              enqueue(handle, link.deviceId(), DeliveryStatus.PENDING, null, now);
            }
          });
    }
    Map<ByteBuffer, byte[]> keptKeys = keptFor.isEmpty() ? Map.of() : keptKeys(keptFor);
    walked = links.size() < limit;
    if (!links.isEmpty()) {
      walkedThrough = links.get(links.size() - 1).deviceId();
    }
    List<DeviceSend> sends = new ArrayList<>();
    for (int i = 0; i < links.size(); i++) {
      FanoutLink link = links.get(i);
      Visit visit = new Visit(link.deviceId());
      visits.add(visit);
      RotationStep step = steps.get(i);
      if (step == RotationStep.SEND) {
        sends.add(new DeviceSend(link, visit, false, null));
      } else if (step == RotationStep.SEND_UNDER_KEPT_KEY) {
        sends.add(
            new DeviceSend(link, visit, true, keptKeys.get(ByteBuffer.wrap(link.deviceId()))));
      } else {
        visit.finished = true;
      }
    }
    unrecorded = visits.size();
    if (!sends.isEmpty()) {
      // Protected and sent on the sender thread, while this one reads the next chunk.
      try {
        CompletableFuture<Void> sending =
            CompletableFuture.runAsync(() -> sends.forEach(this::send), senderThread);
        beingSent.add(sending);
        sending.whenComplete((ignored, failure) -> beingSent.remove(sending));
      } catch (RejectedExecutionException e) {
        sends.forEach(send -> failed(send.visit(), e));
      }
    }
    return links.size();
  }

  /** The sender thread. */
  private void send(DeviceSend send) {
    FanoutLink link = send.link();
    Visit visit = send.visit();
    CompletableFuture<Void> sent;
    try {
      byte[] message;
      byte[] key =
          send.underKeptKey()
              ? openKept(link.deviceId(), send.keptKey())
              : vault.open(link.sealedKey(), SealedColumn.DEVICE_KEY.label(link.deviceId()));
      try {
        message = sender.protect(command, key).message();
      } finally {
        Arrays.fill(key, (byte) 0);
      }
      visit.sentAtNanos = System.nanoTime();
      sent = sender.publish(link.deviceId(), message);
    } catch (RuntimeException e) {
      failed(visit, e);
      return;
    }
    visit.sent = sent;
    onTheWire.add(sent);
    sent.whenComplete(
        (ok, failure) -> {
          if (failure == null) {
            visit.finished = true;
            meter.delivered(1);
          } else {
            failed(visit, failure);
          }
          onTheWire.remove(sent);
          if (acknowledgedSinceWake.incrementAndGet() >= chunk || onTheWire.isEmpty()) {
            acknowledgedSinceWake.set(0);
            wake.run();
          }
        });
  }

  private byte[] openKept(byte[] deviceId, byte[] keptKey) {
    if (keptKey == null) {
      throw new IllegalStateException(
          "the key the device had when the rotation was committed was not kept");
    }
    return vault.open(keptKey, SealedColumn.FANOUT_COMMAND_KEY.label(deviceId, position));
  }

  /** Any thread. */
  private void failed(Visit visit, Throwable failure) {
    meter.failed(1);
    visit.error = Outcome.describe(failure);
    failures.add(visit);
  }

  /** The keys kept for this fan-out for {@code devices} whose key changed since it was made. */
  private Map<ByteBuffer, byte[]> keptKeys(List<byte[]> devices) {
    return database.read(handle -> rotations.keptKeys(handle, position, devices));
  }

  /**
   * Gives failed sends their rows and persists how far the walk is done (every chunk of devices or
   * second, with every failure, and when asked to {@code persistNow}); finishes the fan-out once
   * every device is.
   *
   * @return true if the fan-out is finished
   */
  boolean record(boolean persistNow) {
    expireUnacknowledged();
    List<Visit> failed = new ArrayList<>();
    for (Visit visit; (visit = failures.poll()) != null; ) {
      failed.add(visit);
    }
    Set<Visit> rowsNow = Collections.newSetFromMap(new IdentityHashMap<>());
    rowsNow.addAll(failed);
    int done = 0;
    byte[] doneThrough = unpersistedThrough;
    for (Visit visit : visits) {
      if (!visit.finished && !rowsNow.contains(visit)) {
        break;
      }
      done++;
      doneThrough = visit.deviceId;
    }
    boolean finishing = walked && done == visits.size() && sendsInProgress() == 0;
    Instant at = clock.instant();
    boolean persist =
        finishing
            || !failed.isEmpty()
            || (doneThrough != null
                && (persistNow
                    || unpersisted + done >= chunk
                    || at.isAfter(persistedAt.plusSeconds(1))));
    if (!persist) {
      popDone(done, doneThrough);
      return false;
    }
    byte[] through = doneThrough;
    try {
      database.useTransaction(
          handle -> {
            List<Entry> events = new ArrayList<>();
            if (!failed.isEmpty()) {
              store.takePositions(handle, 1);
              for (Visit visit : failed) {
                enqueue(handle, visit.deviceId, DeliveryStatus.FAILED, visit.error, at);
                events.add(
                    new Entry(
                        EventType.COMMAND_FAILED,
                        visit.deviceId,
                        null,
                        fanout.topic(),
                        fanout.commandName(),
                        0,
                        visit.error));
              }
            }
            if (through != null) {
              rotations.doneThrough(handle, position, through);
            }
            if (finishing) {
              rotations.finish(handle, position, at);
              events.add(
                  new Entry(
                      EventType.COMMAND_SENT,
                      null,
                      null,
                      fanout.topic(),
                      fanout.commandName(),
                      rotations.audience(handle, fanout),
                      "rotation at position " + position));
            }
            journal.append(handle, Optional.empty(), events);
          });
      journal.committed();
    } catch (RuntimeException e) {
      failures.addAll(failed);
      throw e;
    }
    if (!failed.isEmpty()) {
      LOG.warn(
          "{} devices of the rotation at position {} not acknowledged, will retry: {}",
          failed.size(),
          position,
          failed.get(0).error);
    }
    failed.forEach(visit -> visit.finished = true);
    popDone(done, null);
    unpersisted = 0;
    persistedAt = at;
    return finishing;
  }

  /**
   * Fails the sends not acknowledged within the timeout. Checked here, oldest first, rather than
   * with a timer for each of 100,000 sends.
   */
  private void expireUnacknowledged() {
    long now = System.nanoTime();
    long timeout = ackTimeout.toNanos();
    for (Visit visit : visits) {
      CompletableFuture<Void> sent = visit.sent;
      if (sent == null || sent.isDone()) {
        continue;
      }
      if (now - visit.sentAtNanos < timeout) {
        break;
      }
      sent.completeExceptionally(new TimeoutException("not acknowledged within " + ackTimeout));
    }
  }

  /** Drops the first {@code done} visits, done through {@code through} (null: persisted). */
  private void popDone(int done, byte[] through) {
    for (int i = 0; i < done; i++) {
      visits.removeFirst();
    }
    unrecorded = visits.size();
    unpersisted += done;
    unpersistedThrough = through;
  }

  /**
   * The fan-out's command for one device as an outbox row at the fan-out's position, under the key
   * kept for it if its key changed since; none if the device was removed. Under the writer lock.
   */
  private void enqueue(
      Handle handle, byte[] deviceId, DeliveryStatus status, String error, Instant now) {
    if (!rotations.deviceExists(handle, deviceId)) {
      return;
    }
    boolean failed = status == DeliveryStatus.FAILED;
    long id =
        store.insertFanoutRow(
            handle,
            fanout,
            deviceId,
            status,
            error,
            now,
            failed ? now.plus(backoff.after(1)) : now);
    Optional<byte[]> kept = rotations.keptKey(handle, position, deviceId);
    if (kept.isPresent()) {
      byte[] key = openKept(deviceId, kept.get());
      try {
        store.pinKey(
            handle, id, vault.seal(key, SealedColumn.OUTBOX_COMMAND_KEY.label(deviceId, id)));
      } finally {
        Arrays.fill(key, (byte) 0);
      }
    }
  }

  /** Waits up to {@code timeout} for the chunks being sent, then for the sends on the wire. */
  void awaitSends(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    CompletableFuture.allOf(beingSent.toArray(CompletableFuture[]::new))
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    CompletableFuture.allOf(onTheWire.toArray(CompletableFuture[]::new))
        .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  /** Sends on the wire and chunks not all sent yet. */
  int sendsInProgress() {
    return onTheWire.size() + beingSent.size();
  }

  /** Erases the command. */
  @Override
  public void close() {
    Arrays.fill(command, (byte) 0);
  }

  /**
   * What a walk works with: {@code senderThread} protects and sends its chunks, {@code wake} tells
   * the dispatcher that acknowledgements came.
   */
  record Parts(
      Database database,
      OutboxStore store,
      Vault vault,
      Sender sender,
      Journal journal,
      DeliveryMeter meter,
      Clock clock,
      Backoff backoff,
      Duration ackTimeout,
      Executor senderThread,
      Runnable wake) {}

  /** A device to send the rotation to, and the key kept for it if it goes under that one. */
  private record DeviceSend(FanoutLink link, Visit visit, boolean underKeptKey, byte[] keptKey) {}

  /** One device of the walk. */
  private static final class Visit {
    final byte[] deviceId;

    /** Acknowledged, not in the audience, or given its row: counts toward the progress. */
    volatile boolean finished;

    volatile String error;

    /** Its send, if it was sent; when. Set by the sender thread. */
    volatile CompletableFuture<Void> sent;

    volatile long sentAtNanos;

    Visit(byte[] deviceId) {
      this.deviceId = deviceId;
    }
  }
}
