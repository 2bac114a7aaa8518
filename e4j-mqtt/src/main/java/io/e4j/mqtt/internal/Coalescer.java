package io.e4j.mqtt.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Runs an action once for a burst of requests: {@code quiet} after the last request, and no later
 * than {@code maxDelay} after the first one not yet served, so a long burst still runs it at that
 * pace. {@link #requestNow()} runs it as soon as possible, serving what is pending too.
 *
 * <p>Thread-safe. The action runs on the timer's thread, never twice at once when the timer has one
 * thread; a request that arrives while it runs gets a run of its own after it.
 */
public final class Coalescer {
  /** Runs a task after a delay; what {@link #request} and {@link #requestNow} schedule on. */
  public interface Timer {
    /** Schedules {@code task} in {@code delayNanos}; the result cancels it if it has not run. */
    Runnable schedule(Runnable task, long delayNanos);

    /** A timer on {@code executor}. */
    static Timer on(ScheduledExecutorService executor) {
      return (task, delayNanos) -> {
        ScheduledFuture<?> future = executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
      };
    }
  }

  private final long quietNanos;
  private final long maxDelayNanos;
  private final Timer timer;
  private final LongSupplier nanoTime;
  private final Runnable action;
  private final Object lock = new Object();
  private boolean pending;
  private long firstPendingAt;
  private long generation;
  private Runnable cancelScheduled = () -> {};

  public Coalescer(
      Duration quiet, Duration maxDelay, Timer timer, LongSupplier nanoTime, Runnable action) {
    if (quiet.isNegative() || maxDelay.compareTo(quiet) < 0) {
      throw new IllegalArgumentException("need 0 <= quiet <= maxDelay");
    }
    this.quietNanos = quiet.toNanos();
    this.maxDelayNanos = maxDelay.toNanos();
    this.timer = timer;
    this.nanoTime = nanoTime;
    this.action = action;
  }

  /** Runs the action after the burst this request is part of. */
  public void request() {
    schedule(false);
  }

  /** Runs the action as soon as the timer can. */
  public void requestNow() {
    schedule(true);
  }

  private void schedule(boolean now) {
    synchronized (lock) {
      long time = nanoTime.getAsLong();
      if (!pending) {
        pending = true;
        firstPendingAt = time;
      }
      long due = now ? time : Math.min(time + quietNanos, firstPendingAt + maxDelayNanos);
      cancelScheduled.run();
      long run = ++generation;
      cancelScheduled = timer.schedule(() -> fire(run), Math.max(0, due - time));
    }
  }

  private void fire(long run) {
    synchronized (lock) {
      if (run != generation) {
        return; // superseded by a later schedule, which serves this request too
      }
      pending = false;
      cancelScheduled = () -> {};
    }
    action.run();
  }
}
