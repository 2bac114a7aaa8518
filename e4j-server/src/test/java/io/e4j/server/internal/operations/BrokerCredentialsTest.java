package io.e4j.server.internal.operations;

import static org.assertj.core.api.Assertions.assertThat;

import io.e4j.server.BrokerCredential;
import io.e4j.server.DeviceInfo;
import io.e4j.server.Role;
import io.e4j.server.internal.change.Authority;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pure parts of issued broker credentials: their form, randomness, hash and roles. */
class BrokerCredentialsTest {
  @Test
  void newSecret_is32RandomBytesInLowerCaseHexAfterThePrefix_neverTheSameTwice() {
    Set<String> seen = new HashSet<>();
    Set<Character> digits = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      String secret = BrokerCredentials.newSecret();
      assertThat(secret).matches(BrokerCredentials.FORM).hasSize(4 + 64);
      assertThat(HexFormat.of().parseHex(secret.substring(4))).hasSize(32);
      assertThat(seen.add(secret)).as("drawn twice: %s", secret).isTrue();
      secret.substring(4).chars().forEach(c -> digits.add((char) c));
    }
    // Every hex digit shows up among 64,000 random ones: the bytes are not stuck or biased away.
    assertThat(digits).hasSize(16);
  }

  @Test
  void hashOf_isTheSha256OfThePasswordBytes_notTheSecret() throws Exception {
    String secret = BrokerCredentials.newSecret();

    byte[] hash = BrokerCredentials.hashOf(secret);

    assertThat(hash)
        .hasSize(32)
        .isEqualTo(
            MessageDigest.getInstance("SHA-256")
                .digest(secret.getBytes(StandardCharsets.US_ASCII)));
    assertThat(HexFormat.of().formatHex(hash)).isNotEqualTo(secret.substring(4));
    assertThat(BrokerCredentials.hashOf(BrokerCredentials.newSecret())).isNotEqualTo(hash);
  }

  @Test
  void issuedCredential_hidesItsSecretFromToString() {
    String secret = BrokerCredentials.newSecret();
    Instant now = Instant.parse("2026-01-02T03:04:05Z");
    BrokerCredential issued =
        new BrokerCredential(
            new DeviceInfo("00".repeat(16), Optional.of("meter-1"), Optional.empty(), now, now),
            secret,
            now);

    assertThat(issued.toString()).doesNotContain(secret.substring(4)).contains("hidden");
  }

  @Test
  void issuingAndRevoking_needAnOperator_likeTheOtherDeviceChanges() {
    assertThat(Authority.needed("IssueBrokerCredential")).isEqualTo(Role.OPERATOR);
    assertThat(Authority.needed("RevokeBrokerCredential")).isEqualTo(Role.OPERATOR);
    assertThat(Authority.needed("NewDeviceKey")).isEqualTo(Role.OPERATOR);
  }
}
