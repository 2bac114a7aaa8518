package io.e4j.server.internal.outbox;

import io.e4j.server.C2Config;
import io.e4j.server.internal.journal.Journal;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.transport.Transport;
import io.e4j.server.internal.vault.Vault;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox: one thread reads due commands in ID order and sends those the {@link
 * DeliveryPlan} lets go (through a {@link CommandSender}), up to {@code maxInFlight} on the wire at
 * once; outcomes are written back in batches ({@link OutcomeRecorder}). Topic fan-outs (rotations)
 * are walked beside the rows by a {@link TopicFanoutWalk}, one at a time in position order;
 * commands committed after the fan-out being walked wait until it finishes.
 *
 * <p>Nothing here is lost by a crash: rows are marked delivered only after the transport
 * acknowledged them, so a restart sends at most a few again, which devices treat as the no-ops they
 * are. Failed commands are retried with backoff, without limit: a key update is never dropped.
 */
public final class Dispatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
  private static final Duration IDLE_POLL = Duration.ofSeconds(1);
  private static final Duration BUSY_POLL = Duration.ofMillis(20);
  private static final Duration PURGE_EVERY = Duration.ofMinutes(1);

  private final Database database;
  private final OutboxStore store = new OutboxStore();
  private final Transport transport;
  private final Clock clock;
  private final C2Config.Delivery settings;
  private final DeliveryPlan plan;
  private final OutcomeRecorder outcomes;
  private final CommandSender commands;
  private final TopicFanoutWalk.Parts walkParts;
  private final Thread thread;

  /** Sends a device's next command once its previous one is acknowledged, off the I/O threads. */
  private final ExecutorService chained = daemonThread("e4j-delivery-chain");

  /** Protects and sends a topic fan-out's chunks while the delivery thread reads the next. */
  private final ExecutorService fanoutSender = daemonThread("e4j-fanout-sender");

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition signal = lock.newCondition();

  private volatile boolean running = true;
  private volatile boolean signalled;
  private volatile boolean reconnected;

  /** The last row ID read in this pass over the due rows; 0 to start again from the first. */
  private long cursor;

  /** The rotation being walked, if any. */
  private TopicFanoutWalk walk;

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
    this.transport = transport;
    this.clock = clock;
    this.settings = settings;
    this.plan =
        new DeliveryPlan(Math.min(settings.maxInFlight(), transport.inFlightLimit()), settings);
    Sender sender = new Sender(transport, clock, settings.ratePerSecond());
    this.outcomes = new OutcomeRecorder(database, store, journal, meter, clock, plan);
    this.commands =
        new CommandSender(
            database,
            store,
            vault,
            sender,
            plan,
            outcomes,
            settings.ackTimeout(),
            chained,
            this::wake);
    this.walkParts =
        new TopicFanoutWalk.Parts(
            database,
            store,
            vault,
            sender,
            journal,
            meter,
            clock,
            plan.backoff(),
            settings.ackTimeout(),
            fanoutSender,
            this::wake);
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
    outcomes.write();
    if (walk != null && walk.record(false)) {
      LOG.info("rotation at position {} delivered", walk.position());
      walk.close();
      walk = null;
    }
    retryFailedAfterReconnection();
    purgeOldRows();
    plan.newSecond(clock.instant().getEpochSecond());
    long highWater = highWaterPosition();
    int capacity = inFlightCapacity();
    if (capacity <= 0) {
      pause(BUSY_POLL);
      return;
    }
    int limit = plan.batchLimit(capacity);
    Instant now = clock.instant();
    List<OutboxRow> rows =
        database.read(handle -> store.due(handle, cursor, now, highWater, limit));
    boolean reachedEnd = rows.size() < limit;
    cursor = reachedEnd ? 0 : rows.get(rows.size() - 1).id();
    int sent = commands.send(rows);
    int visited = walk == null ? 0 : walk.walk(plan.batchLimit(inFlightCapacity()));
    if (reachedEnd && sent == 0 && visited == 0) {
      boolean idle = plan.nothingOnTheirWay() && (walk == null || walk.sendsInProgress() == 0);
      pause(idle && walk == null ? IDLE_POLL : BUSY_POLL);
    }
  }

  private int inFlightCapacity() {
    return plan.inFlightCapacity(walk == null ? 0 : walk.unrecorded());
  }

  /**
   * The highest position whose rows may go now ({@link DeliveryPlan#highWaterPosition}); starts
   * walking the earliest unfinished rotation if it is not already.
   */
  private long highWaterPosition() {
    OutboxStore.Positions positions = database.read(store::positions);
    OptionalLong rotation = positions.earliestUnfinishedRotation();
    if (rotation.isPresent() && walk == null) {
      walk = TopicFanoutWalk.resume(walkParts, plan.walkChunk(), rotation.getAsLong());
    }
    return DeliveryPlan.highWaterPosition(
        positions.lastCommitted(),
        rotation.isPresent() ? OptionalLong.of(walk.position()) : OptionalLong.empty());
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
    try {
      commands.awaitSends(settings.ackTimeout());
      if (walk != null) {
        walk.awaitSends(settings.ackTimeout());
      }
    } catch (Exception e) {
      LOG.warn(
          "{} commands still unacknowledged at shutdown; they are resent at the next start",
          commands.sendsInProgress() + (walk == null ? 0 : walk.sendsInProgress()));
    }
    try {
      outcomes.write();
      if (walk != null) {
        walk.record(true);
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "could not record the last outcomes; those commands are resent at the next start", e);
    } finally {
      if (walk != null) {
        walk.close();
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
    if (!thread.isAlive()) {
      commands.close();
    }
  }
}
