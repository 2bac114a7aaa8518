package io.e4j.server.internal.broker;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.e4j.core.KeyReports;
import io.e4j.core.Keys;
import io.e4j.server.internal.store.BrokerCredentialStore;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which passwords log a device in: derived from its key or its previous key, or issued by C2. */
class BrokerPasswordsTest {
  private final byte[] key = Keys.randomKey();
  private final byte[] previousKey = Keys.randomKey();
  private final byte[] issued =
      ("e4b_" + HexFormat.of().formatHex(Keys.randomKey())).getBytes(US_ASCII);
  private final Optional<byte[]> issuedHash = Optional.of(BrokerCredentialStore.hash(issued));

  private static byte[] derived(byte[] commandKey) {
    return KeyReports.brokerPassword(commandKey).getBytes(US_ASCII);
  }

  @Test
  void passwordDerivedFromTheCurrentKey_isAccepted_withOrWithoutAnIssuedCredential() {
    assertThat(BrokerPasswords.accepted(derived(key), key, Optional.empty(), Optional.empty()))
        .isTrue();
    assertThat(BrokerPasswords.accepted(derived(key), key, Optional.of(previousKey), issuedHash))
        .isTrue();
  }

  @Test
  void passwordDerivedFromThePreviousKey_isAcceptedOnlyWhileItIsKept() {
    assertThat(
            BrokerPasswords.accepted(
                derived(previousKey), key, Optional.of(previousKey), Optional.empty()))
        .isTrue();
    assertThat(
            BrokerPasswords.accepted(derived(previousKey), key, Optional.empty(), Optional.empty()))
        .isFalse();
  }

  @Test
  void issuedCredential_isAcceptedOnlyWhileTheDeviceHoldsIt() {
    assertThat(BrokerPasswords.accepted(issued, key, Optional.empty(), issuedHash)).isTrue();
    assertThat(BrokerPasswords.accepted(issued, key, Optional.empty(), Optional.empty())).isFalse();
    byte[] another = ("e4b_" + HexFormat.of().formatHex(Keys.randomKey())).getBytes(US_ASCII);
    assertThat(
            BrokerPasswords.accepted(
                issued, key, Optional.empty(), Optional.of(BrokerCredentialStore.hash(another))))
        .isFalse();
  }

  @Test
  void theHashItself_theSecretCutShort_oranEmptyPassword_areRefused() {
    byte[] hashAsPassword = issuedHash.get().clone();
    byte[] cut = java.util.Arrays.copyOf(issued, issued.length - 1);
    for (byte[] password : new byte[][] {hashAsPassword, cut, new byte[0], new byte[32]}) {
      assertThat(BrokerPasswords.accepted(password, key, Optional.of(previousKey), issuedHash))
          .isFalse();
    }
  }
}
