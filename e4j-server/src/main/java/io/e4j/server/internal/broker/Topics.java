package io.e4j.server.internal.broker;

import java.util.HexFormat;
import java.util.Optional;

/** The topic names the broker's policy knows: control topics and report topics. */
final class Topics {
  /** C2's commands to a device go to {@code e4/<its hex ID>}; only C2 publishes under it. */
  static final String CONTROL_PREFIX = "e4/";

  /** A device reports its key state on {@code e4j/reports/<its hex ID>}; C2 reads them all. */
  static final String REPORTS_PREFIX = "e4j/reports/";

  private static final int ID_HEX_DIGITS = 32;
  private static final HexFormat HEX = HexFormat.of();

  private Topics() {}

  static boolean isControl(String topic) {
    return topic.startsWith(CONTROL_PREFIX);
  }

  static boolean isReports(String topic) {
    return topic.startsWith(REPORTS_PREFIX);
  }

  static boolean hasWildcard(String filter) {
    return filter.indexOf('+') >= 0 || filter.indexOf('#') >= 0;
  }

  static boolean isShared(String filter) {
    return filter.startsWith("$share/");
  }

  static String control(String deviceHex) {
    return CONTROL_PREFIX + deviceHex;
  }

  static String reports(String deviceHex) {
    return REPORTS_PREFIX + deviceHex;
  }

  static String hex(byte[] deviceId) {
    return HEX.formatHex(deviceId);
  }

  /** The device whose control topic {@code filter} is exactly (lower-case hex), if any. */
  static Optional<byte[]> controlTopicDevice(String filter) {
    if (filter.length() != CONTROL_PREFIX.length() + ID_HEX_DIGITS || !isControl(filter)) {
      return Optional.empty();
    }
    String hex = filter.substring(CONTROL_PREFIX.length());
    for (int i = 0; i < hex.length(); i++) {
      char c = hex.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return Optional.empty();
      }
    }
    return Optional.of(HEX.parseHex(hex));
  }
}
