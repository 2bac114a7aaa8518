package io.e4j.core.vectors;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock a scenario sets by hand, to the second. */
final class SettableClock extends Clock {
  private volatile Instant now;

  SettableClock(long epochSecond) {
    set(epochSecond);
  }

  void set(long epochSecond) {
    now = Instant.ofEpochSecond(epochSecond);
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("the vectors use UTC");
  }
}
