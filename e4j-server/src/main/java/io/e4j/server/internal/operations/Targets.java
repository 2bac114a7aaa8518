package io.e4j.server.internal.operations;

import io.e4j.server.DeviceRef;
import java.util.HexFormat;

/** How the audit log names what a change is about. */
final class Targets {
  private Targets() {}

  /** A device: its name, or {@code id:} and its ID. */
  static String device(DeviceRef ref) {
    return ref.name().orElseGet(() -> "id:" + HexFormat.of().formatHex(ref.idOrDerived()));
  }

  /** A device and a topic it is linked to, or two devices: {@code a -> b}. */
  static String pair(String from, String to) {
    return from + " -> " + to;
  }
}
