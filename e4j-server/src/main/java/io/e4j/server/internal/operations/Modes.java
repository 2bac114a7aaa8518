package io.e4j.server.internal.operations;

import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.CryptoMode;

/** Checks of the crypto mode an operation belongs to. */
final class Modes {
  private Modes() {}

  /** Refuses an operation of public-key mode ({@code what}) in symmetric-key mode. */
  static void requirePublicKey(CryptoMode mode, String what) {
    if (mode != CryptoMode.PUBLIC_KEY) {
      throw wrong(what, CryptoMode.PUBLIC_KEY, mode);
    }
  }

  static C2Exception wrong(String what, CryptoMode needed, CryptoMode mode) {
    return new C2Exception(
        Reason.WRONG_MODE, what + " needs " + needed + " mode; this C2 runs in " + mode + " mode");
  }
}
