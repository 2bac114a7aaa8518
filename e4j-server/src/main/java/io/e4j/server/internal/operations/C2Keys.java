package io.e4j.server.internal.operations;

import io.e4j.core.Commands;
import io.e4j.core.Keys;
import io.e4j.server.CryptoMode;
import io.e4j.server.EventType;
import io.e4j.server.internal.change.Change;
import io.e4j.server.internal.journal.Entry;
import io.e4j.server.internal.store.C2KeyStore;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.store.DeviceStore;
import java.time.Clock;
import java.util.Arrays;
import org.jdbi.v3.core.Handle;

/** PK mode: C2's own Curve25519 key pair, and the keys each device shares with it. */
final class C2Keys {
  private final C2KeyStore keyPairs;
  private final DeviceStore devices;
  private final CryptoMode mode;

  C2Keys(C2KeyStore keyPairs, DeviceStore devices, CryptoMode mode) {
    this.keyPairs = keyPairs;
    this.devices = devices;
    this.mode = mode;
  }

  /**
   * A new key pair for C2, whose public key goes to every device (SetC2Key), each under the key it
   * shares with the old pair; then every device's command key becomes the one it shares with the
   * new pair.
   */
  Change<Void> newKeyPair() {
    byte[] newPrivate = Keys.newCurve25519();
    byte[] newPublic = Keys.curve25519PublicFromPrivate(newPrivate);
    return Change.<Void>of(
            "NewC2Key",
            "C2",
            context -> {
              Handle handle = context.handle();
              int generation = keyPairs.lock(handle);
              int told = context.outbox().toEveryDevice(Commands.setC2Key(newPublic));
              long keysChangedAt = context.outbox().allKeysChanging();
              keyPairs.insert(handle, generation + 1, newPrivate, newPublic, context.now());
              keyPairs.delete(handle, generation);
              devices.rekeyAll(handle, newPrivate, keysChangedAt, context.now());
              context.event(
                  new Entry(EventType.C2_KEY_CHANGED, null, null, null, null, told, null)
                      .withDetail("generation " + (generation + 1)));
              return null;
            })
        .checking(() -> Modes.requirePublicKey(mode, "a C2 key"))
        .sendingCommands()
        .erasing(newPrivate);
  }

  /** The key a PK device with {@code ed25519Public} shares with C2's current key pair. */
  byte[] sharedKey(Handle handle, byte[] ed25519Public) {
    int generation = keyPairs.lock(handle);
    byte[] c2Private = keyPairs.privateKey(handle, generation);
    try {
      return Keys.sharedKey(c2Private, Keys.curve25519Public(ed25519Public));
    } finally {
      Arrays.fill(c2Private, (byte) 0);
    }
  }

  /** PK mode, first start: C2's first key pair. */
  void ensureKeyPair(Database database, Clock clock) {
    database.useTransaction(
        handle -> {
          if (keyPairs.isEmpty(handle)) {
            byte[] privateKey = Keys.newCurve25519();
            try {
              keyPairs.insert(
                  handle,
                  1,
                  privateKey,
                  Keys.curve25519PublicFromPrivate(privateKey),
                  clock.instant());
            } finally {
              Arrays.fill(privateKey, (byte) 0);
            }
          }
        });
  }
}
