package io.e4j.server.internal.change;

import java.util.Arrays;
import java.util.Objects;

/**
 * One change of C2's state, as its parts: what the audit log calls it, its check, and its work.
 * {@link Changes} runs it and does everything around it: the caller's authority, the audit record,
 * the events, the outbox's writer lock, the commit, waking delivery. A change cannot forget one of
 * them, because it does none of them itself.
 *
 * @param action the operation, as the audit log and the roles name it ({@code "RotateTopic"})
 * @param target what it is about, as the audit log names it
 * @param check refuses the change with a {@code C2Exception} before any transaction (arguments,
 *     crypto mode), and prepares what the work needs that is costly to make (keys derived from
 *     passwords); runs once, after the caller's authority was checked
 * @param sendsCommands whether the work enqueues commands, links devices or changes keys: it then
 *     runs under the outbox's writer lock, taken before anything else, and delivery is woken after
 *     the commit
 * @param runsAgainOnConflict a batch: if its transaction fails as a whole because another call
 *     created a row it had checked for, it runs once more, and its items then see that row and are
 *     refused on their own
 * @param work the work, in the change's transaction; may run again if the database asks to retry
 * @param release runs when the change is over, made or refused: erases the keys made for it
 */
public record Change<T>(
    String action,
    String target,
    Runnable check,
    boolean sendsCommands,
    boolean runsAgainOnConflict,
    Work<T> work,
    Runnable release) {

  /** The work of a change, in its transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T apply(ChangeContext context);
  }

  public Change {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(work, "work");
    Objects.requireNonNull(release, "release");
  }

  /** A change that writes only to the store: no command, no writer lock. */
  public static <T> Change<T> of(String action, String target, Work<T> work) {
    return new Change<>(action, target, () -> {}, false, false, work, () -> {});
  }

  /** The same change, refused (or prepared) by {@code check} before any transaction starts. */
  public Change<T> checking(Runnable check) {
    Runnable first = this.check;
    Runnable both =
        () -> {
          first.run();
          check.run();
        };
    return new Change<>(action, target, both, sendsCommands, runsAgainOnConflict, work, release);
  }

  /** The same change, which enqueues commands (or links devices, or changes keys). */
  public Change<T> sendingCommands() {
    return new Change<>(action, target, check, true, runsAgainOnConflict, work, release);
  }

  /** The same change, run once more if its transaction fails on a row created meanwhile. */
  public Change<T> againOnConflict() {
    return new Change<>(action, target, check, sendsCommands, true, work, release);
  }

  /** The same change, erasing {@code buffers} when it is over. */
  public Change<T> erasing(byte[]... buffers) {
    return releasing(() -> Arrays.stream(buffers).forEach(b -> Arrays.fill(b, (byte) 0)));
  }

  /** The same change, running {@code after} too when it is over. */
  public Change<T> releasing(Runnable after) {
    Runnable first = this.release;
    Runnable both =
        () -> {
          try {
            first.run();
          } finally {
            after.run();
          }
        };
    return new Change<>(action, target, check, sendsCommands, runsAgainOnConflict, work, both);
  }

  @Override
  public String toString() {
    return "Change[" + action + " " + target + "]";
  }
}
