package io.e4j.server.internal.broker;

import io.e4j.core.KeyReports;
import io.e4j.server.internal.store.BrokerCredentialStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Whether a password a client presents is one C2 accepts for a device: the broker password derived
 * from its command key (docs/key-reports.md), or from its key before the last change, or the
 * credential C2 issued it. Every comparison is made, in constant time, whatever matched and
 * whatever the device has: the time taken says nothing of which matched, or whether the device
 * holds an issued credential.
 */
final class BrokerPasswords {
  /** Compared against when the device holds no issued credential; no password hashes to it. */
  private static final byte[] NO_CREDENTIAL = new byte[32];

  private BrokerPasswords() {}

  /**
   * @param currentKey the device's command key
   * @param previousKey its command key before its last change, if it changed
   * @param issuedHash the hash of the credential C2 issued it, if it holds one
   */
  static boolean accepted(
      byte[] password,
      byte[] currentKey,
      Optional<byte[]> previousKey,
      Optional<byte[]> issuedHash) {
    boolean current = derivedFrom(currentKey, password);
    // A device whose key never changed is compared against its current key twice, for the time.
    boolean previous =
        derivedFrom(previousKey.orElse(currentKey), password) && previousKey.isPresent();
    boolean issued =
        MessageDigest.isEqual(
                issuedHash.orElse(NO_CREDENTIAL), BrokerCredentialStore.hash(password))
            && issuedHash.isPresent();
    return current | previous | issued;
  }

  private static boolean derivedFrom(byte[] commandKey, byte[] password) {
    byte[] expected = KeyReports.brokerPassword(commandKey).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, password);
  }
}
