package io.e4j.server.internal.operations;

import io.e4j.core.Keys;
import io.e4j.server.CryptoMode;
import io.e4j.server.DeviceCredential;
import java.util.Arrays;

/**
 * What a new device is keyed with: its command key in SK mode, its Ed25519 public key in PK mode,
 * and the key C2 generated for it, if it did. Derived before the device's transaction, since a
 * password takes a deliberately slow derivation.
 */
record Credential(byte[] deviceKey, byte[] publicKey, byte[] generated) {

  /** The credential of a device in {@code mode}; WRONG_MODE if it belongs to the other mode. */
  static Credential of(DeviceCredential credential, CryptoMode mode) {
    if (mode == CryptoMode.SYMMETRIC_KEY) {
      if (credential instanceof DeviceCredential.SymmetricKey key) {
        return new Credential(key.key(), null, null);
      } else if (credential instanceof DeviceCredential.Password password) {
        return new Credential(Keys.symmetricKeyFromPassword(password.password()), null, null);
      } else if (credential instanceof DeviceCredential.Generate) {
        byte[] key = Keys.randomKey();
        return new Credential(key, null, key.clone());
      }
      throw Modes.wrong("a device public key", CryptoMode.PUBLIC_KEY, mode);
    }
    if (credential instanceof DeviceCredential.PublicKey key) {
      return new Credential(null, key.ed25519Public(), null);
    } else if (credential instanceof DeviceCredential.Password password) {
      byte[] signing = Keys.ed25519FromPassword(password.password());
      try {
        return new Credential(null, Keys.ed25519Public(signing), null);
      } finally {
        Arrays.fill(signing, (byte) 0);
      }
    } else if (credential instanceof DeviceCredential.Generate) {
      byte[] signing = Keys.newEd25519();
      return new Credential(null, Keys.ed25519Public(signing), signing);
    }
    throw Modes.wrong("a device symmetric key", CryptoMode.SYMMETRIC_KEY, mode);
  }

  /** Erases the device key (the generated one goes to the caller). */
  void erase() {
    if (deviceKey != null) {
      Arrays.fill(deviceKey, (byte) 0);
    }
  }

  @Override
  public String toString() {
    return "Credential[keys hidden]";
  }
}
