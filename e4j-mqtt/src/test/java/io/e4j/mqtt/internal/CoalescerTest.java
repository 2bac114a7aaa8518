package io.e4j.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The coalescer on a timer whose time the test moves. */
class CoalescerTest {
  private static final long MS = 1_000_000L;

  private final VirtualTimer timer = new VirtualTimer();
  private final List<Long> runs = new ArrayList<>();
  private final Coalescer coalescer =
      new Coalescer(
          Duration.ofMillis(200),
          Duration.ofSeconds(1),
          timer,
          () -> timer.now,
          () -> runs.add(timer.now / MS));

  @Test
  void oneRequest_runsOnceAfterTheQuietTime() {
    coalescer.request();
    timer.advanceTo(5_000 * MS);

    assertThat(runs).containsExactly(200L);
  }

  @Test
  void aBurst_runsOnce_200msAfterItsLastRequest() {
    for (int i = 0; i < 5; i++) {
      timer.advanceTo(i * 100 * MS);
      coalescer.request();
    }
    timer.advanceTo(5_000 * MS);

    assertThat(runs).containsExactly(600L);
  }

  @Test
  void aLongBurst_runsAtLeastOnceASecond() {
    for (int i = 0; i <= 35; i++) {
      timer.advanceTo(i * 100 * MS);
      coalescer.request();
    }
    timer.advanceTo(10_000 * MS);

    assertThat(runs).containsExactly(1_000L, 2_000L, 3_000L, 3_700L);
  }

  @Test
  void requestNow_runsAtOnce_andServesWhatWasPending() {
    coalescer.request();
    timer.advanceTo(50 * MS);
    coalescer.requestNow();
    timer.advanceTo(5_000 * MS);

    assertThat(runs).containsExactly(50L);
  }

  @Test
  void aRequestWhileTheActionRuns_getsARunOfItsOwn() {
    List<Long> nested = new ArrayList<>();
    Coalescer[] self = new Coalescer[1];
    self[0] =
        new Coalescer(
            Duration.ofMillis(200),
            Duration.ofSeconds(1),
            timer,
            () -> timer.now,
            () -> {
              nested.add(timer.now / MS);
              if (nested.size() == 1) {
                self[0].request();
              }
            });
    self[0].request();
    timer.advanceTo(5_000 * MS);

    assertThat(nested).containsExactly(200L, 400L);
  }

  /** Runs due tasks in time order as the test advances the clock. */
  private static final class VirtualTimer implements Coalescer.Timer {
    private record Task(long due, long order, Runnable task, boolean[] cancelled) {}

    private final List<Task> tasks = new ArrayList<>();
    private long now;
    private long order;

    @Override
    public Runnable schedule(Runnable task, long delayNanos) {
      boolean[] cancelled = {false};
      tasks.add(new Task(now + delayNanos, order++, task, cancelled));
      return () -> cancelled[0] = true;
    }

    void advanceTo(long time) {
      while (true) {
        Task next =
            tasks.stream()
                .filter(t -> t.due() <= time)
                .min(Comparator.comparingLong(Task::due).thenComparingLong(Task::order))
                .orElse(null);
        if (next == null) {
          break;
        }
        tasks.remove(next);
        now = Math.max(now, next.due());
        if (!next.cancelled()[0]) {
          next.task().run();
        }
      }
      now = time;
    }
  }
}
