package io.e4j.cli;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.Locale;

/** How values read in tables and sentences. */
final class Text {
  private Text() {}

  /** 10000 as "10,000". */
  static String count(long count) {
    return String.format(Locale.ROOT, "%,d", count);
  }

  /** An instant to the second, in UTC; empty when unset. */
  static String time(Timestamp timestamp) {
    if (timestamp.getSeconds() == 0 && timestamp.getNanos() == 0) {
      return "";
    }
    return Instant.ofEpochSecond(timestamp.getSeconds()).toString();
  }

  /** {@code part} of {@code whole} as a percentage, "100%" when there is no whole. */
  static String percent(long part, long whole) {
    if (whole == 0) {
      return "100%";
    }
    long tenths = part * 1000 / whole;
    return tenths % 10 == 0
        ? (tenths / 10) + "%"
        : String.format(Locale.ROOT, "%.1f%%", part * 100.0 / whole);
  }
}
