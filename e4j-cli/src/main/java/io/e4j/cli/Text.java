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
}
