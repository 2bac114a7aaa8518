package io.e4j.server.internal.outbox;

import io.e4j.server.C2Config;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Decides what the outbox sends when; reads no database, starts no thread, sends nothing.
 *
 * <ul>
 *   <li>Order per device: a command goes only once every earlier (lower position, then lower ID)
 *       undelivered command of its device is on its way. It then joins its device's chain and is
 *       sent once the one before it is acknowledged; if that one fails, the rest of the chain is
 *       skipped back to pending, and waits for its retry.
 *   <li>In-flight budget: {@code maxInFlight} less the rows on their way (on the wire, waiting in a
 *       chain, or with an outcome not yet recorded) and the walk's unrecorded devices.
 *   <li>High-water position: rows above the rotation being walked, or above the last committed
 *       position, wait.
 *   <li>Backoff after failures, and same-second de-duplication: a device never gets the same bytes
 *       twice in one second, which its replay protection would drop.
 *   <li>What the rotation walk does for each device of the topic.
 * </ul>
 *
 * <p>Thread safety: {@link #mayGoNow}, {@link #start}, {@link #recorded} and {@link #newSecond} are
 * called by the delivery thread; {@link #finished} and {@link #firstOfItsKindThisSecond} by the
 * threads that complete sends; the rest by any thread.
 */
final class DeliveryPlan {
  /** Timestamp (8) and SIV tag (16) of a protected command: equal heads, equal messages. */
  private static final int PROTECTED_HEAD = 24;

  private final int maxInFlight;
  private final int batchSize;
  private final int ratePerSecond;
  private final Backoff backoff;

  /** Rows on their way, never fetched twice: until their outcome is recorded. */
  private final Set<Long> onTheirWay = ConcurrentHashMap.newKeySet();

  /**
   * Rows on their way whose send ended without delivery (failed, or skipped behind a failure):
   * until they are recorded, the later commands of their device wait.
   */
  private final Set<Long> notDelivered = ConcurrentHashMap.newKeySet();

  /** Per-device chain: the device's rows not yet acknowledged, the first on the wire. */
  private final Map<ByteBuffer, ArrayDeque<OutboxRow>> chains = new HashMap<>();

  /** For each device, how many of its rows are among {@link #notDelivered}. */
  private final Map<ByteBuffer, Integer> heldBack = new HashMap<>();

  /** What each device was sent in the current second (heads of protected commands). */
  private final Map<ByteBuffer, SentThisSecond> sentThisSecond = new ConcurrentHashMap<>();

  private long second;

  /**
   * @param maxInFlight the most sends on the wire or unrecorded at once (the configured limit, or
   *     the transport's if lower)
   */
  DeliveryPlan(int maxInFlight, C2Config.Delivery settings) {
    this.maxInFlight = maxInFlight;
    this.batchSize = settings.batchSize();
    this.ratePerSecond = settings.ratePerSecond();
    this.backoff = Backoff.of(settings);
  }

  // ---- In-flight budget

  /** How many more sends may start now, the walk's {@code unrecordedByTheWalk} counted in. */
  int inFlightCapacity(int unrecordedByTheWalk) {
    return maxInFlight - onTheirWay.size() - unrecordedByTheWalk;
  }

  /** How many rows or links to read at once for {@code capacity} more sends. */
  int batchLimit(int capacity) {
    int limit = Math.min(capacity, batchSize);
    if (ratePerSecond > 0) {
      // Paced sends block the delivery thread: take a tenth of a second's worth at a time, so
      // outcomes are recorded as they come rather than after a long batch.
      limit = Math.min(limit, Math.max(1, ratePerSecond / 10));
    }
    return limit;
  }

  /** The fewest devices the walk reads at once while its sends are on the wire. */
  int walkChunk() {
    return Math.max(1, Math.min(batchLimit(maxInFlight), maxInFlight / 4));
  }

  /** Whether the in-flight budget is spent by the rows alone: time to record outcomes. */
  boolean full() {
    return onTheirWay.size() >= maxInFlight;
  }

  boolean nothingOnTheirWay() {
    return onTheirWay.isEmpty();
  }

  // ---- High-water position

  /**
   * The highest position whose rows may go now: that of the rotation being walked, or else the last
   * committed one (rows committed later might come after a rotation committed meanwhile).
   */
  static long highWaterPosition(long lastCommitted, OptionalLong rotationBeingWalked) {
    return rotationBeingWalked.isPresent()
        ? Math.min(lastCommitted, rotationBeingWalked.getAsLong())
        : lastCommitted;
  }

  // ---- Order per device

  /**
   * The rows of {@code fetched} that may go now, in order: not on their way already, and every
   * earlier undelivered command of their device on its way (or going now, before them). {@code
   * undeliveredOf} gives, for devices with earlier undelivered commands, the places of all of their
   * undelivered commands; it is asked only if a row is behind one.
   */
  List<OutboxRow> mayGoNow(
      List<OutboxRow> fetched, Function<List<byte[]>, Map<ByteBuffer, List<Place>>> undeliveredOf) {
    List<OutboxRow> fresh = fetched.stream().filter(row -> !onTheirWay.contains(row.id())).toList();
    List<byte[]> devicesBehind = new ArrayList<>();
    Set<ByteBuffer> seen = new HashSet<>();
    for (OutboxRow row : fresh) {
      if (row.behind() && seen.add(ByteBuffer.wrap(row.deviceId()))) {
        devicesBehind.add(row.deviceId());
      }
    }
    Map<ByteBuffer, List<Place>> undelivered =
        devicesBehind.isEmpty() ? Map.of() : undeliveredOf.apply(devicesBehind);
    Set<Long> goingNow = new HashSet<>();
    List<OutboxRow> sendable = new ArrayList<>();
    for (OutboxRow row : fresh) {
      Place place = row.place();
      boolean earlierAllOnTheirWay =
          !row.behind()
              || undelivered.getOrDefault(ByteBuffer.wrap(row.deviceId()), List.of()).stream()
                  .filter(earlier -> earlier.isBefore(place))
                  .allMatch(earlier -> goingNow.contains(earlier.id()) || isOnItsWay(earlier.id()));
      if (earlierAllOnTheirWay) {
        goingNow.add(row.id());
        sendable.add(row);
      }
    }
    return sendable;
  }

  private boolean isOnItsWay(long id) {
    return onTheirWay.contains(id) && !notDelivered.contains(id);
  }

  /** What becomes of a row that {@link #mayGoNow} let go. */
  enum Start {
    /** Nothing of its device is on the wire: send it now. */
    SEND_NOW,
    /** Sent once the device's previous command is acknowledged ({@link #finished}). */
    WAIT_IN_CHAIN,
    /**
     * A command of its device failed since {@link #mayGoNow}: not on its way after all, read again
     * in a later round.
     */
    NOT_NOW
  }

  /** Puts a row that {@link #mayGoNow} let go on its way, at the end of its device's chain. */
  synchronized Start start(OutboxRow row) {
    ByteBuffer device = ByteBuffer.wrap(row.deviceId());
    if (row.behind() && heldBack.containsKey(device)) {
      return Start.NOT_NOW;
    }
    onTheirWay.add(row.id());
    ArrayDeque<OutboxRow> chain = chains.computeIfAbsent(device, d -> new ArrayDeque<>());
    chain.addLast(row);
    return chain.size() == 1 ? Start.SEND_NOW : Start.WAIT_IN_CHAIN;
  }

  /** A row that {@link #mayGoNow} let go failed before it could be sent. */
  synchronized void failedBeforeSending(OutboxRow row) {
    onTheirWay.add(row.id());
    holdBack(row);
  }

  private void holdBack(OutboxRow row) {
    if (notDelivered.add(row.id())) {
      heldBack.merge(ByteBuffer.wrap(row.deviceId()), 1, Integer::sum);
    }
  }

  /**
   * The send of {@code row}, the first of its device's chain, ended: what comes next for the
   * device.
   */
  synchronized Next finished(OutboxRow row, boolean delivered) {
    ByteBuffer device = ByteBuffer.wrap(row.deviceId());
    ArrayDeque<OutboxRow> chain = chains.getOrDefault(device, new ArrayDeque<>());
    chain.removeFirstOccurrence(row);
    if (delivered && !chain.isEmpty()) {
      return new Next(Optional.of(chain.getFirst()), List.of());
    }
    chains.remove(device);
    if (delivered) {
      return new Next(Optional.empty(), List.of());
    }
    holdBack(row);
    List<OutboxRow> skipped = List.copyOf(chain);
    skipped.forEach(this::holdBack);
    return new Next(Optional.empty(), skipped);
  }

  /**
   * After a send ended: the device's next row to send now, or the rows skipped back to pending
   * because it was not delivered.
   */
  record Next(Optional<OutboxRow> send, List<OutboxRow> skipped) {}

  /** The row's outcome is recorded: it is no longer on its way. */
  synchronized void recorded(OutboxRow row) {
    onTheirWay.remove(row.id());
    if (notDelivered.remove(row.id())) {
      heldBack.computeIfPresent(
          ByteBuffer.wrap(row.deviceId()), (device, count) -> count == 1 ? null : count - 1);
    }
  }

  /** Whether no device has a command on the wire or waiting in its chain. */
  synchronized boolean chainsEmpty() {
    return chains.isEmpty();
  }

  /** Commands on the wire or waiting in their device's chain. */
  synchronized int inChains() {
    return chains.values().stream().mapToInt(ArrayDeque::size).sum();
  }

  // ---- Backoff

  Backoff backoff() {
    return backoff;
  }

  /** When a row that failed after {@code attempts} earlier attempts is due again. */
  Instant retryAt(Instant now, int attempts) {
    return now.plus(backoff.after(attempts + 1));
  }

  // ---- Same-second de-duplication

  /** Called each round: forgets what was sent in earlier seconds. */
  void newSecond(long epochSecond) {
    if (epochSecond != second) {
      sentThisSecond.values().removeIf(sent -> sent.second() < epochSecond);
      second = epochSecond;
    }
  }

  /**
   * Notes that {@code message} goes to the device in second {@code epochSecond}: false if the
   * device already got the same timestamp and tag this second (same command, key and time), which
   * its replay protection would drop. A device's commands go out one at a time, so no two threads
   * note for the same device at once.
   */
  boolean firstOfItsKindThisSecond(byte[] deviceId, byte[] message, long epochSecond) {
    ByteBuffer head = ByteBuffer.wrap(Arrays.copyOf(message, PROTECTED_HEAD));
    SentThisSecond sent =
        sentThisSecond.compute(
            ByteBuffer.wrap(deviceId),
            (device, previous) ->
                previous == null || previous.second() != epochSecond
                    ? new SentThisSecond(epochSecond, new HashSet<>())
                    : previous);
    return sent.heads().add(head);
  }

  /** How long from {@code now} until just into the next second. */
  static Duration untilNextSecond(Instant now) {
    return Duration.ofMillis(1_000 - now.getNano() / 1_000_000 + 1);
  }

  private record SentThisSecond(long second, Set<ByteBuffer> heads) {}

  // ---- The rotation walk

  /** What the walk of a rotation does for one device linked to its topic. */
  enum RotationStep {
    /** Linked after the rotation (the link sent the key), or already has its row for it. */
    NOTHING,
    /** Has earlier commands undelivered: gets a row at the rotation's position, behind them. */
    ROW_BEHIND_EARLIER_COMMANDS,
    /** Sent straight from the link, under the device's key. */
    SEND,
    /** Sent straight from the link, under the key kept for it: its key changed since. */
    SEND_UNDER_KEPT_KEY
  }

  static RotationStep rotationStep(FanoutLink link, long rotationPosition) {
    Long latest = link.latestUndelivered();
    if (link.linkedPosition() > rotationPosition
        || (latest != null && latest == rotationPosition)) {
      return RotationStep.NOTHING;
    }
    if (latest != null) {
      return RotationStep.ROW_BEHIND_EARLIER_COMMANDS;
    }
    return link.keyPosition() > rotationPosition
        ? RotationStep.SEND_UNDER_KEPT_KEY
        : RotationStep.SEND;
  }
}
