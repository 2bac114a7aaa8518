package io.e4j.server;

import io.e4j.core.E4Exception;
import io.e4j.core.Keys;

/** What a new device is keyed with. Secrets are hidden from {@code toString()}. */
public sealed interface DeviceCredential {

  /** SK mode: the device's 32-byte key, as provisioned on the device. */
  record SymmetricKey(byte[] key) implements DeviceCredential {
    public SymmetricKey {
      if (key == null || key.length != Keys.KEY_SIZE) {
        throw new C2Exception(
            C2Exception.Reason.INVALID_ARGUMENT, "a device key is " + Keys.KEY_SIZE + " bytes");
      }
      key = key.clone();
    }

    @Override
    public byte[] key() {
      return key.clone();
    }

    @Override
    public String toString() {
      return "SymmetricKey[hidden]";
    }
  }

  /**
   * A password (at least 16 characters) from which the device derives its key as E4 does: the SK
   * key, or in PK mode the Ed25519 pair of which C2 keeps only the public half.
   */
  record Password(String password) implements DeviceCredential {
    public Password {
      if (password == null || password.length() < 16) {
        throw new C2Exception(
            C2Exception.Reason.INVALID_ARGUMENT, "a device password is at least 16 characters");
      }
    }

    @Override
    public String toString() {
      return "Password[hidden]";
    }
  }

  /**
   * PK mode: the device's 32-byte Ed25519 public key, a point of the curve (C2 derives the key it
   * shares with the device from it); the device's private key never reaches C2.
   */
  record PublicKey(byte[] ed25519Public) implements DeviceCredential {
    public PublicKey {
      if (ed25519Public == null || ed25519Public.length != 32) {
        throw new C2Exception(
            C2Exception.Reason.INVALID_ARGUMENT, "an Ed25519 public key is 32 bytes");
      }
      try {
        Keys.curve25519Public(ed25519Public);
      } catch (E4Exception e) {
        throw new C2Exception(
            C2Exception.Reason.INVALID_ARGUMENT, "not an Ed25519 public key: " + e.getMessage());
      }
      ed25519Public = ed25519Public.clone();
    }

    @Override
    public byte[] ed25519Public() {
      return ed25519Public.clone();
    }

    @Override
    public String toString() {
      return "PublicKey[" + java.util.HexFormat.of().formatHex(ed25519Public) + "]";
    }
  }

  /**
   * C2 generates the device's key and returns it once, for provisioning: a 32-byte key in SK mode,
   * a 64-byte Ed25519 private key in PK mode (the only way C2 ever makes a device's private key).
   */
  record Generate() implements DeviceCredential {}
}
