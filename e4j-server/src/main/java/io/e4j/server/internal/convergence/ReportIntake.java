package io.e4j.server.internal.convergence;

import io.e4j.core.E4Client;
import io.e4j.core.E4Exception;
import io.e4j.core.KeyReport;
import io.e4j.core.KeyReports;
import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.CryptoMode;
import io.e4j.server.EventType;
import io.e4j.server.internal.change.Changes;
import io.e4j.server.internal.journal.Caller;
import io.e4j.server.internal.journal.Entry;
import io.e4j.server.internal.journal.Journal;
import io.e4j.server.internal.operations.C2Operations;
import io.e4j.server.internal.outbox.Deliveries;
import io.e4j.server.internal.store.C2KeyStore;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.store.DeviceStore;
import io.e4j.server.internal.store.LinkStore;
import io.e4j.server.internal.store.LinkStore.LinkedKey;
import io.e4j.server.internal.store.PresenceStore;
import io.e4j.server.internal.store.PresenceStore.LastReport;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes devices' key reports (docs/key-reports.md) as the transport receives them, checks each (a
 * known device, authentic under its key, a sequence number above the last accepted, dated within
 * the window, sent on the device's own report topic) and records what it says: when the device was
 * seen, which linked topics' current keys it holds. A device found behind, with nothing on its way
 * to it, is sent what it lacks. Refused reports are audited, at most one per device a minute:
 * anyone who can publish on the broker can send them.
 *
 * <p>Reports are taken in batches, one transaction each, on one thread of its own; the queue is
 * bounded, and a report that finds it full is dropped and counted (devices report again on their
 * next connection and after their next commands).
 */
public final class ReportIntake implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReportIntake.class);
  private static final HexFormat HEX = HexFormat.of();
  private static final int BATCH = 500;
  private static final int QUEUE = 50_000;
  private static final int FINGERPRINTS_KEPT = 100_000;
  private static final java.util.regex.Pattern DEVICE_HEX_ID =
      java.util.regex.Pattern.compile("[0-9a-f]{32}");

  /** What a report on a topic that names no device is filed under. */
  private static final String NOT_A_DEVICE = "(no device ID)";

  /** How far a report's time may be from C2's clock, either way. */
  static final Duration WINDOW = Duration.ofMinutes(10);

  private static final String REFUSED = "key report refused: ";

  /**
   * How long C2 waits for a device's next report, after one that came while it was sent commands.
   */
  static final Duration RECHECK_AFTER = Duration.ofSeconds(10);

  private static final int RECHECKS_KEPT = 10_000;

  /** How many times a recheck waits again for commands still unsent. */
  private static final int RECHECK_ROUNDS = 6;

  /** How often one device's refused reports of one kind are audited. */
  private static final Duration AUDIT_EVERY = Duration.ofMinutes(1);

  /**
   * A report made before C2 sent the device its last commands says nothing of them: C2 waits for
   * the next (up to {@link #RECHECK_AFTER}) before sending anything again. The margin covers clocks
   * a little apart.
   */
  private static final Duration REPORT_MARGIN = Duration.ofSeconds(2);

  private final Database database;
  private final DeviceStore devices;
  private final LinkStore links;
  private final PresenceStore presence;
  private final C2KeyStore keyPairs;
  private final Journal journal;
  private final Changes changes;
  private final C2Operations operations;
  private final CryptoMode mode;
  private final Clock clock;

  private final KeyReports.Opener opener = new KeyReports.Opener();
  private final BlockingQueue<Received> queue = new ArrayBlockingQueue<>(QUEUE);
  private final Thread worker;
  private volatile boolean closed;

  /** Topic key fingerprints by topic and version: a key is opened once, not at every report. */
  private final Map<String, byte[]> fingerprints =
      new LinkedHashMap<>(1_024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
          return size() > FINGERPRINTS_KEPT;
        }
      };

  /** When each device's refused report was last audited; bounded like the fingerprints. */
  private final Map<String, Instant> lastAudited =
      new LinkedHashMap<>(1_024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
          return size() > 10_000;
        }
      };

  /**
   * Devices whose report showed them behind while commands were on their way to them, by hex ID: if
   * no newer report comes within {@link #RECHECK_AFTER}, those commands did not reach them (a
   * broker drops commands for a client with no session), and C2 catches them up then. Only the
   * worker thread uses it.
   */
  private final Map<String, Recheck> rechecks =
      new LinkedHashMap<>(1_024) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Recheck> eldest) {
          return size() > RECHECKS_KEPT;
        }
      };

  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();

  /** A report as the transport received it: the device its topic (or Kafka key) names. */
  public record Received(String deviceHexId, byte[] report) {}

  /** What a checked report leads to. */
  private record Verdict(Received received, C2Exception refusal, Behind behind) {}

  /**
   * A device found behind by its report {@code sequence}: caught up at once, or, when commands were
   * on their way to it, only if its next report does not come in time.
   */
  private record Behind(CatchUp catchUp, long sequence, boolean afterCommandsOnTheirWay) {}

  /** A catch-up that waits for the device's next report until {@code due}. */
  private record Recheck(Behind behind, Instant due, int round) {}

  /** What to send a device that is behind, once the batch is committed. */
  private record CatchUp(
      byte[] deviceId, boolean ownKeyBehind, List<byte[]> behind, List<byte[]> unlinked) {}

  public ReportIntake(
      Database database,
      DeviceStore devices,
      LinkStore links,
      PresenceStore presence,
      C2KeyStore keyPairs,
      Journal journal,
      Changes changes,
      C2Operations operations,
      CryptoMode mode,
      Clock clock) {
    this.database = database;
    this.devices = devices;
    this.links = links;
    this.presence = presence;
    this.keyPairs = keyPairs;
    this.journal = journal;
    this.changes = changes;
    this.operations = operations;
    this.mode = mode;
    this.clock = clock;
    this.worker = new Thread(this::run, "e4j-reports");
    this.worker.setDaemon(true);
    this.worker.start();
  }

  /** A message received on a report topic ({@code e4j/reports/<hex id>}); any thread. */
  public void received(String topic, byte[] report) {
    String prefix =
        KeyReports.REPORT_TOPIC_FILTER.substring(0, KeyReports.REPORT_TOPIC_FILTER.length() - 1);
    String device = topic.startsWith(prefix) ? topic.substring(prefix.length()) : topic;
    if (!DEVICE_HEX_ID.matcher(device).matches()) {
      device = NOT_A_DEVICE;
    }
    if (!queue.offer(new Received(device, report))) {
      if (dropped.incrementAndGet() % 1_000 == 1) {
        LOG.warn(
            "Key reports arrive faster than C2 records them; {} dropped so far (devices report"
                + " again)",
            dropped.get());
      }
    }
  }

  public long acceptedCount() {
    return accepted.get();
  }

  public long refusedCount() {
    return refused.get();
  }

  public long droppedCount() {
    return dropped.get();
  }

  private void run() {
    List<Received> batch = new ArrayList<>(BATCH);
    while (!closed) {
      try {
        recheckDue();
        Received first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, BATCH - 1);
        take(batch);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.error(
            "Key reports could not be recorded or acted on; {} in the batch", batch.size(), e);
      } finally {
        batch.clear();
      }
    }
  }

  /**
   * Checks and records a batch, in one transaction for each run of reports from distinct devices (a
   * device's second report must see its first recorded), then audits refusals and sends catch-ups.
   */
  void take(List<Received> batch) {
    List<Received> run = new ArrayList<>();
    Set<String> inRun = new HashSet<>();
    for (Received received : batch) {
      if (!inRun.add(received.deviceHexId())) {
        takeRun(run);
        run.clear();
        inRun.clear();
        inRun.add(received.deviceHexId());
      }
      run.add(received);
    }
    takeRun(run);
  }

  private void takeRun(List<Received> batch) {
    if (batch.isEmpty()) {
      return;
    }
    List<Verdict> verdicts;
    try {
      verdicts = database.inTransaction(handle -> checkAll(handle, batch));
    } catch (RuntimeException whole) {
      // One report's trouble (a device removed meanwhile) must not lose the others: one by one.
      verdicts = new ArrayList<>();
      for (Received one : batch) {
        try {
          verdicts.addAll(database.inTransaction(handle -> checkAll(handle, List.of(one))));
        } catch (RuntimeException e) {
          LOG.warn("The key report of device {} could not be recorded", one.deviceHexId(), e);
        }
      }
    }
    journal.committed();
    for (Verdict verdict : verdicts) {
      if (verdict.refusal() != null) {
        refused.incrementAndGet();
        audit(verdict.received(), verdict.refusal());
        continue;
      }
      accepted.incrementAndGet();
      // A newer report says what the device holds now: an earlier recheck has nothing to add.
      rechecks.remove(verdict.received().deviceHexId());
      Behind behind = verdict.behind();
      if (behind == null) {
        continue;
      }
      if (behind.afterCommandsOnTheirWay()) {
        rechecks.put(
            verdict.received().deviceHexId(),
            new Recheck(behind, clock.instant().plus(RECHECK_AFTER), 1));
      } else {
        catchUp(behind.catchUp());
      }
    }
  }

  /**
   * Catches up the devices whose recheck is due and that sent no newer report meanwhile: the
   * commands that were on their way did not reach them. Waits again while commands are unsent.
   */
  private void recheckDue() {
    if (rechecks.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    List<Recheck> due = new ArrayList<>();
    rechecks
        .values()
        .removeIf(
            recheck -> {
              boolean isDue = !recheck.due().isAfter(now);
              if (isDue) {
                due.add(recheck);
              }
              return isDue;
            });
    for (Recheck recheck : due) {
      CatchUp catchUp = recheck.behind().catchUp();
      byte[] id = catchUp.deviceId();
      boolean noNewerReport =
          database.read(
              handle ->
                  presence
                      .lastReport(handle, id)
                      .map(last -> last.sequence() == recheck.behind().sequence())
                      .orElse(false));
      if (!noNewerReport) {
        continue;
      }
      if (database.read(handle -> Deliveries.unsentOf(handle, id)) > 0) {
        if (recheck.round() < RECHECK_ROUNDS) {
          rechecks.put(
              HEX.formatHex(id),
              new Recheck(recheck.behind(), now.plus(RECHECK_AFTER), recheck.round() + 1));
        }
        continue;
      }
      catchUp(catchUp);
    }
  }

  private void catchUp(CatchUp catchUp) {
    try {
      operations.catchUp(
          catchUp.deviceId(), catchUp.ownKeyBehind(), catchUp.behind(), catchUp.unlinked());
    } catch (C2Exception e) {
      LOG.info(
          "Device {} could not be caught up: {}",
          HEX.formatHex(catchUp.deviceId()),
          e.getMessage());
    }
  }

  /**
   * What C2 holds of the devices a batch's reports claim to come from, read in a few queries: the
   * intake's cost per report is then mostly opening it.
   */
  private record Known(
      Map<String, DeviceStore.Reporting> devices,
      Map<String, LastReport> lastReports,
      Map<String, List<LinkedKey>> linked,
      Map<String, Long> currentTopics,
      byte[] c2PublicKey) {}

  /** An accepted report, before the batch's records are written. */
  private record Accepted(
      Received received,
      PresenceStore.Reported record,
      KeyComparison comparison,
      Opened opened,
      boolean firstReport,
      long wasCurrent,
      int linkedCount,
      Optional<String> name) {}

  /** Checks and records a batch whose reports each claim another device. */
  private List<Verdict> checkAll(Handle handle, List<Received> batch) {
    List<Verdict> verdicts = new ArrayList<>(batch.size());
    List<byte[]> ids = new ArrayList<>();
    List<Received> claimed = new ArrayList<>();
    for (Received received : batch) {
      try {
        ids.add(claimedDevice(received));
        claimed.add(received);
      } catch (C2Exception refusal) {
        verdicts.add(new Verdict(received, refusal, null));
      }
    }
    Known known =
        new Known(
            devices.reporting(handle, ids),
            presence.lastReports(handle, ids),
            links.linkedKeysOf(handle, ids, this::fingerprint),
            presence.currentTopicCounts(handle, ids),
            mode == CryptoMode.PUBLIC_KEY ? keyPairs.publicKey(handle) : null);
    Instant now = clock.instant();
    List<Accepted> accepted = new ArrayList<>();
    for (int i = 0; i < claimed.size(); i++) {
      try {
        accepted.add(check(handle, claimed.get(i), ids.get(i), known, now));
      } catch (C2Exception refusal) {
        verdicts.add(new Verdict(claimed.get(i), refusal, null));
      }
    }
    presence.reportedAll(handle, accepted.stream().map(Accepted::record).toList(), now);
    List<byte[]> inStep = new ArrayList<>();
    for (Accepted one : accepted) {
      if (one.comparison().inStep() && one.opened().ownKeyCurrent()) {
        inStep.add(one.record().deviceId());
      }
    }
    Set<String> wereStale = presence.clearStale(handle, inStep);
    List<Entry> events = new ArrayList<>();
    for (Accepted one : accepted) {
      verdicts.add(new Verdict(one.received(), null, next(handle, one, wereStale, events)));
    }
    journal.append(handle, Optional.empty(), events);
    return verdicts;
  }

  /** Checks one report against what C2 holds; what to record of it if it is to be believed. */
  private Accepted check(Handle handle, Received received, byte[] id, Known known, Instant now) {
    DeviceStore.Reporting device = known.devices().get(received.deviceHexId());
    if (device == null) {
      throw refusal(Reason.NOT_FOUND, "unknown device: " + received.deviceHexId());
    }
    Opened opened = open(handle, id, device, known.c2PublicKey(), received.report());
    KeyReport report = opened.report();
    LastReport last = known.lastReports().get(received.deviceHexId());
    if (last != null && report.sequence() <= last.sequence()) {
      throw refusal(
          Reason.PERMISSION_DENIED,
          "replayed or out of order: report " + report.sequence() + " after " + last.sequence());
    }
    long skew = Math.abs(report.timestamp() - now.getEpochSecond());
    if (skew > WINDOW.toSeconds()) {
      throw refusal(
          Reason.PERMISSION_DENIED,
          "outside the time window: dated "
              + Instant.ofEpochSecond(report.timestamp())
              + ", more than "
              + WINDOW.toMinutes()
              + " minutes from C2's clock");
    }
    List<LinkedKey> linked = known.linked().getOrDefault(received.deviceHexId(), List.of());
    List<KeyComparison.Held> held = new ArrayList<>();
    for (KeyReport.TopicKeyFingerprint topic : report.topics()) {
      held.add(new KeyComparison.Held(topic.topicHash(), topic.keyFingerprint()));
    }
    KeyComparison comparison = KeyComparison.of(linked, held);
    return new Accepted(
        received,
        new PresenceStore.Reported(
            id,
            report.sequence(),
            report.lastCommandTime(),
            opened.ownKeyCurrent(),
            comparison.confirmed()),
        comparison,
        opened,
        last == null,
        known.currentTopics().getOrDefault(received.deviceHexId(), 0L),
        linked.size(),
        device.name());
  }

  /** After a report is recorded: its event, and what to send the device, if anything. */
  private Behind next(Handle handle, Accepted one, Set<String> wereStale, List<Entry> events) {
    KeyComparison comparison = one.comparison();
    Opened opened = one.opened();
    byte[] id = one.record().deviceId();
    if (comparison.inStep() && opened.ownKeyCurrent()) {
      if (one.firstReport()
          || wereStale.contains(one.received().deviceHexId())
          || one.wasCurrent() < one.linkedCount()) {
        events.add(
            Entry.device(EventType.DEVICE_CONFIRMED, id, one.name().orElse(null))
                .withDetail("holds the current key of its " + one.linkedCount() + " topic(s)"));
      }
      return null;
    }
    if (comparison.inStep() && !opened.underPreviousKey()) {
      // Only its own key is behind, and C2 cannot tell which change it missed (PK mode: a
      // SetC2Key; its report would not open under the key before a SetIDKey).
      return null;
    }
    CatchUp catchUp =
        new CatchUp(id, opened.underPreviousKey(), comparison.behind(), comparison.unlinked());
    boolean onTheirWay =
        Deliveries.unsentOf(handle, id) > 0
            || Deliveries.anySentSince(
                handle,
                id,
                Instant.ofEpochSecond(opened.report().timestamp()).minus(REPORT_MARGIN));
    return new Behind(catchUp, opened.report().sequence(), onTheirWay);
  }

  private byte[] claimedDevice(Received received) {
    byte[] claimed;
    try {
      claimed = KeyReports.claimedDeviceId(received.report());
    } catch (E4Exception e) {
      throw refusal(Reason.INVALID_ARGUMENT, "not a key report: " + e.getMessage());
    }
    String claimedHex = HEX.formatHex(claimed);
    if (!claimedHex.equals(received.deviceHexId())) {
      throw refusal(
          Reason.PERMISSION_DENIED,
          "a report of device "
              + claimedHex
              + " arrived as device "
              + received.deviceHexId()
              + "'s");
    }
    return claimed;
  }

  /**
   * An authentic report: whether the device's own key (and C2's, PK) is current, and whether it
   * came under the key the device had before its last key change (SK mode).
   */
  private record Opened(KeyReport report, boolean ownKeyCurrent, boolean underPreviousKey) {}

  /** Opens the report under the device's key; whether its own key (and C2's, PK) is current. */
  private Opened open(
      Handle handle, byte[] id, DeviceStore.Reporting device, byte[] c2Key, byte[] message) {
    byte[] commandKey = devices.openCommandKey(id, device.sealedCommandKey());
    try {
      if (mode == CryptoMode.SYMMETRIC_KEY) {
        return openSymmetric(handle, id, message, commandKey);
      }
      byte[] publicKey =
          device
              .publicKey()
              .orElseThrow(() -> refusal(Reason.NOT_FOUND, "device has no public key"));
      KeyReport report = opener.openSigned(message, commandKey, publicKey);
      boolean current =
          MessageDigest.isEqual(
                  report.ownKeyFingerprint(),
                  KeyReports.ownKeyFingerprint(E4Client.Mode.PUBLIC_KEY, publicKey))
              && report.c2KeyFingerprint() != null
              && MessageDigest.isEqual(
                  report.c2KeyFingerprint(), KeyReports.c2KeyFingerprint(c2Key));
      return new Opened(report, current, false);
    } catch (E4Exception e) {
      throw refusal(Reason.PERMISSION_DENIED, "not authentic: " + e.getMessage());
    } finally {
      Arrays.fill(commandKey, (byte) 0);
    }
  }

  /**
   * SK mode: under the device's key, or else under the key it had before its last key change: a
   * device that missed its SetIDKey still reports under that one.
   */
  private Opened openSymmetric(Handle handle, byte[] id, byte[] message, byte[] commandKey) {
    try {
      KeyReport report = opener.openSymmetric(message, commandKey);
      return new Opened(
          report,
          MessageDigest.isEqual(
              report.ownKeyFingerprint(),
              KeyReports.ownKeyFingerprint(E4Client.Mode.SYMMETRIC, commandKey)),
          false);
    } catch (E4Exception underCurrent) {
      Optional<byte[]> previous = devices.previousCommandKey(handle, id);
      if (previous.isEmpty()) {
        throw underCurrent;
      }
      try {
        return new Opened(opener.openSymmetric(message, previous.get()), false, true);
      } catch (E4Exception underPrevious) {
        throw underCurrent;
      } finally {
        Arrays.fill(previous.get(), (byte) 0);
      }
    }
  }

  private byte[] fingerprint(byte[] topicId, int version, Supplier<byte[]> key) {
    String at = HEX.formatHex(topicId) + ":" + version;
    byte[] known = fingerprints.get(at);
    if (known == null) {
      known = KeyReports.topicKeyFingerprint(topicId, key.get());
      fingerprints.put(at, known);
    }
    return known;
  }

  /**
   * Audits a refusal, unless one of the same kind for the same device was audited within the last
   * minute: whoever can publish on the broker must not be able to fill the audit log.
   */
  private void audit(Received received, C2Exception refusal) {
    Instant now = clock.instant();
    String kind = received.deviceHexId() + " " + kindOf(refusal);
    Instant last = lastAudited.get(kind);
    if (last != null && now.isBefore(last.plus(AUDIT_EVERY))) {
      return;
    }
    lastAudited.put(kind, now);
    changes.refused(
        Caller.device(received.deviceHexId()), "KeyReport", received.deviceHexId(), refusal);
  }

  /** The kind of a refusal: its message up to the first colon after the common prefix. */
  private static String kindOf(C2Exception refusal) {
    String message = refusal.getMessage();
    int colon = message.indexOf(':', REFUSED.length());
    return colon < 0 ? message : message.substring(0, colon);
  }

  private static C2Exception refusal(Reason reason, String message) {
    return new C2Exception(reason, REFUSED + message);
  }

  @Override
  public void close() {
    closed = true;
    worker.interrupt();
    try {
      worker.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
