package io.e4j.server.internal.outbox;

import io.e4j.server.C2Config;
import java.time.Duration;

/**
 * How long a command whose send failed waits before its next attempt: {@code first} after the first
 * failure, twice as long after each further one, never more than {@code max}. Failed commands are
 * retried without limit: a key update is never dropped.
 */
record Backoff(Duration first, Duration max) {
  static Backoff of(C2Config.Delivery settings) {
    return new Backoff(settings.retryMin(), settings.retryMax());
  }

  /** The wait after {@code attempts} failed attempts: 1 s, 2 s, 4 s ... with the defaults. */
  Duration after(int attempts) {
    Duration delay = first;
    for (int i = 1; i < attempts && delay.compareTo(max) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(max) > 0 ? max : delay;
  }
}
