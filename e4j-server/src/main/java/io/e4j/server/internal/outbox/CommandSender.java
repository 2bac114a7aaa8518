package io.e4j.server.internal.outbox;

import io.e4j.server.C2Exception;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.vault.SealedColumn;
import io.e4j.server.internal.vault.Vault;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Sends the outbox rows the plan lets go: opens each row's command and key, sends it at once or
 * when its device's previous command is acknowledged, protected at that moment, and hands each
 * outcome to the recorder. The first of a device's chain is sent on the delivery thread; the next
 * ones on {@code chained}, off the transport's threads.
 */
final class CommandSender {
  private final Database database;
  private final OutboxStore store;
  private final Vault vault;
  private final Sender sender;
  private final DeliveryPlan plan;
  private final OutcomeRecorder outcomes;
  private final Duration ackTimeout;
  private final Executor chained;
  private final Runnable wake;

  /** The opened command and key of each row on its way and not sent yet; erased once it is. */
  private final Map<Long, Opened> opened = new ConcurrentHashMap<>();

  /** Sends waiting for their outcome, and the device's next send if one follows. */
  private final Set<CompletableFuture<?>> onTheWire = ConcurrentHashMap.newKeySet();

  CommandSender(
      Database database,
      OutboxStore store,
      Vault vault,
      Sender sender,
      DeliveryPlan plan,
      OutcomeRecorder outcomes,
      Duration ackTimeout,
      Executor chained,
      Runnable wake) {
    this.database = database;
    this.store = store;
    this.vault = vault;
    this.sender = sender;
    this.plan = plan;
    this.outcomes = outcomes;
    this.ackTimeout = ackTimeout;
    this.chained = chained;
    this.wake = wake;
  }

  /**
   * Sends, or chains behind their device's previous command, the rows of {@code fetched} that may
   * go now.
   *
   * @return how many were put on their way
   */
  int send(List<OutboxRow> fetched) {
    List<OutboxRow> sendable =
        plan.mayGoNow(
            fetched, devices -> database.read(handle -> store.undeliveredPlaces(handle, devices)));
    if (sendable.isEmpty()) {
      return 0;
    }
    Map<ByteBuffer, RuntimeException> unreadable = new HashMap<>();
    Map<ByteBuffer, byte[]> commands = commandsOf(sendable, unreadable);
    // A value that does not open fails its own row, never the others; the later commands of its
    // device wait for it.
    Set<ByteBuffer> stopped = new HashSet<>();
    int started = 0;
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
          plan.failedBeforeSending(row);
          outcomes.add(Outcome.failed(row, failure));
          continue;
        }
        opened.put(row.id(), new Opened(command.clone(), key));
        DeliveryPlan.Start start = plan.start(row);
        if (start == DeliveryPlan.Start.NOT_NOW) {
          stopped.add(device);
          erase(row);
          continue;
        }
        if (start == DeliveryPlan.Start.SEND_NOW) {
          // On this thread, like every first send of a round.
          follow(row, CompletableFuture.completedFuture(row).thenCompose(this::protectAndSend));
        }
        started++;
      }
    } finally {
      commands.values().forEach(command -> Arrays.fill(command, (byte) 0));
    }
    return started;
  }

  /** The commands of {@code rows}, opened, by ID; those that do not open go to unreadable. */
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

  /**
   * When the outcome of {@code row}'s {@code send} comes, gives it to the recorder and tells the
   * plan, which may release the device's next command.
   */
  private void follow(OutboxRow row, CompletableFuture<Outcome> send) {
    CompletableFuture<Void> sending =
        send.exceptionally(failure -> Outcome.failed(row, failure)).thenAccept(this::finished);
    onTheWire.add(sending);
    sending.whenComplete((ignored, failure) -> onTheWire.remove(sending));
  }

  private CompletableFuture<Outcome> protectAndSend(OutboxRow row) {
    Opened open = opened.get(row.id());
    if (open == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("delivery stopped"));
    }
    Sender.ProtectedCommand message;
    try {
      message = sender.protect(open.command(), open.key());
    } catch (RuntimeException e) {
      erase(row);
      return CompletableFuture.completedFuture(Outcome.failed(row, e));
    }
    if (!plan.firstOfItsKindThisSecond(
        row.deviceId(), message.message(), message.at().getEpochSecond())) {
      // Byte-identical to a command the device got this second (same command, key and
      // timestamp): its replay protection would drop it. Protect it again in the next second.
      Executor nextSecond =
          CompletableFuture.delayedExecutor(
              DeliveryPlan.untilNextSecond(message.at()).toMillis(),
              TimeUnit.MILLISECONDS,
              chained);
      return CompletableFuture.supplyAsync(() -> row, nextSecond).thenCompose(this::protectAndSend);
    }
    erase(row);
    return sender
        .publish(row.deviceId(), message.message())
        .orTimeout(ackTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (ok, failure) ->
                failure == null ? Outcome.delivered(row) : Outcome.failed(row, failure));
  }

  /** Any thread: the send of a row ended. */
  private void finished(Outcome outcome) {
    erase(outcome.row());
    DeliveryPlan.Next next = plan.finished(outcome.row(), outcome.isDelivered());
    outcomes.add(outcome);
    for (OutboxRow skipped : next.skipped()) {
      erase(skipped);
      outcomes.add(Outcome.skipped(skipped));
    }
    next.send().ifPresent(this::sendNext);
    if (plan.full() || plan.chainsEmpty()) {
      wake.run();
    }
  }

  /** Off the transport's thread that completed the previous send: pacing may wait. */
  private void sendNext(OutboxRow row) {
    follow(
        row,
        CompletableFuture.completedFuture(row).thenComposeAsync(this::protectAndSend, chained));
  }

  private void erase(OutboxRow row) {
    Opened open = opened.remove(row.id());
    if (open != null) {
      open.erase();
    }
  }

  /** Waits up to {@code timeout} for the rows on their way to be acknowledged, or not. */
  void awaitSends(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (CompletableFuture<?>[] waiting = waiting(); waiting.length > 0; waiting = waiting()) {
      CompletableFuture.allOf(waiting)
          .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }

  private CompletableFuture<?>[] waiting() {
    return onTheWire.stream()
        .filter(sending -> !sending.isDone())
        .toArray(CompletableFuture[]::new);
  }

  /** Commands on the wire or waiting for their device's previous one. */
  int sendsInProgress() {
    return plan.inChains();
  }

  /** Erases what was opened for rows never sent. Once sending has stopped. */
  void close() {
    for (Long id : opened.keySet()) {
      Opened open = opened.remove(id);
      if (open != null) {
        open.erase();
      }
    }
  }

  /** A row's command and key, opened; erased once protected or given up. */
  private record Opened(byte[] command, byte[] key) {
    void erase() {
      Arrays.fill(command, (byte) 0);
      Arrays.fill(key, (byte) 0);
    }

    @Override
    public String toString() {
      return "Opened[erased on use]";
    }
  }
}
