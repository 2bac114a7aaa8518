package io.e4j.server.internal.change;

import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.Role;
import io.e4j.server.internal.journal.Caller;
import io.e4j.server.internal.journal.Journal;
import io.e4j.server.internal.outbox.OutboxWriter;
import io.e4j.server.internal.store.Database;
import java.time.Clock;
import java.util.Optional;

/**
 * Runs every change of C2's state, the one way: checks the caller's authority, runs the change's
 * check, then its work in one transaction — under the outbox's writer lock, taken first, if it
 * sends commands — and in that same transaction records the call in the audit log and the events
 * the work reported, locking the event log last; after the commit, tells the event streams and
 * wakes delivery. A refused change (authority, check, or work) is recorded in the audit log in a
 * transaction of its own, and nothing of it is kept.
 *
 * <p>Refusals of calls that never become a change (no valid token, a malformed argument) are
 * recorded here too, through {@link #refused} and {@link #refusedAnonymous}: the audit log has no
 * other writer.
 */
public final class Changes {
  private static final String OK = "OK";

  private final Database database;
  private final Journal journal;
  private final OutboxWriter outbox;
  private final Clock clock;
  private final Runnable wakeDelivery;

  /**
   * @param outbox null for a store opened only to manage API tokens, whose changes send no commands
   */
  public Changes(
      Database database, Journal journal, OutboxWriter outbox, Clock clock, Runnable wakeDelivery) {
    this.database = database;
    this.journal = journal;
    this.outbox = outbox;
    this.clock = clock;
    this.wakeDelivery = wakeDelivery;
  }

  /** Makes {@code change} as {@code caller}; its result, or its refusal as a C2Exception. */
  public <T> T make(Caller caller, Change<T> change) {
    try {
      authorize(caller, change.action());
      change.check().run();
      T result;
      try {
        result = commit(caller, change);
      } catch (C2Exception e) {
        if (!(change.runsAgainOnConflict() && e.reason() == Reason.ALREADY_EXISTS)) {
          throw e;
        }
        result = commit(caller, change);
      }
      journal.committed();
      if (change.sendsCommands()) {
        wakeDelivery.run();
      }
      return result;
    } catch (RuntimeException e) {
      refused(caller, change.action(), change.target(), e);
      throw e;
    } finally {
      change.release().run();
    }
  }

  private <T> T commit(Caller caller, Change<T> change) {
    return database.inTransaction(
        handle -> {
          // The writer lock first: see OutboxWriter.lock for the order every writer keeps.
          if (change.sendsCommands() && outbox == null) {
            throw new IllegalStateException(change + " sends commands, and no outbox is open");
          }
          long position = change.sendsCommands() ? outbox.lock(handle) : 0;
          ChangeContext context =
              new ChangeContext(
                  handle,
                  caller,
                  clock.instant(),
                  change.sendsCommands() ? outbox : null,
                  position);
          T value = change.work().apply(context);
          journal.audit(
              handle, caller, change.action(), change.target(), OK, context.auditDetail());
          journal.append(handle, Optional.of(caller), context.events());
          return value;
        });
  }

  /**
   * Runs {@code read} as {@code caller} and records it in the audit log, allowed or refused: for
   * reads that disclose or use keys (opening a message), which change nothing.
   */
  public <T> T audited(
      Caller caller, String action, String target, java.util.function.Supplier<T> read) {
    try {
      authorize(caller, action);
      T result = read.get();
      journal.auditAlone(caller.name(), Optional.of(caller.role()), action, target, OK, null);
      return result;
    } catch (RuntimeException e) {
      refused(caller, action, target, e);
      throw e;
    }
  }

  /** Refuses {@code caller} any operation its role does not allow; the refusal is recorded. */
  public void authorize(Caller caller, String action) {
    Role needed = Authority.needed(action);
    if (!caller.role().allows(needed)) {
      throw new C2Exception(
          Reason.PERMISSION_DENIED,
          "token '" + caller.name() + "' is " + caller.role() + "; " + action + " needs " + needed);
    }
  }

  /** Records that {@code caller}'s call was refused, with the reason {@code failure} gives. */
  public void refused(Caller caller, String action, String target, RuntimeException failure) {
    String outcome =
        failure instanceof C2Exception c2
            ? (c2.reason() == Reason.PERMISSION_DENIED ? "DENIED" : c2.reason().name())
            : "INTERNAL";
    journal.auditAlone(
        caller.name(), Optional.of(caller.role()), action, target, outcome, failure.getMessage());
  }

  /** Records a call refused because it came without a valid API token. */
  public void refusedAnonymous(String action, String target, String why) {
    journal.auditAlone("anonymous", Optional.empty(), action, target, "UNAUTHENTICATED", why);
  }
}
