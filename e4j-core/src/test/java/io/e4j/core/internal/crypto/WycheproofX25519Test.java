package io.e4j.core.internal.crypto;

import static io.e4j.core.internal.crypto.Wycheproof.describe;
import static io.e4j.core.internal.crypto.Wycheproof.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.e4j.core.E4Exception;
import io.e4j.core.Keys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * X25519 against every Wycheproof case. RFC 7748 defines the function for every 32-byte input, so
 * Wycheproof marks nothing invalid, only "acceptable" where libraries legitimately differ. e4j
 * computes twist points and non-canonical u-coordinates as RFC 7748 says (top bit ignored, u
 * reduced mod p) and refuses exactly the cases flagged ZeroSharedSecret: low-order public keys,
 * whose all-zero result would make the shared command key public (the check of RFC 7748, 6.1).
 */
class WycheproofX25519Test {
  @Test
  void everyCase_rawFunctionGivesTheExpectedResult() {
    JsonNode file = Wycheproof.load("x25519_test.json");
    int cases = 0;
    for (JsonNode group : file.get("testGroups")) {
      for (JsonNode test : group.get("tests")) {
        byte[] shared = Agreement.x25519Raw(hex(test, "private"), hex(test, "public"));

        assertThat(Bytes.hex(shared)).as(describe(test)).isEqualTo(test.get("shared").asText());
        cases++;
      }
    }
    System.out.println("Wycheproof X25519, raw function: " + cases + " cases");
    assertThat(cases).isEqualTo(file.get("numberOfTests").asInt());
  }

  @Test
  void everyCase_zeroSharedSecretRefused_everyOtherAccepted() {
    JsonNode file = Wycheproof.load("x25519_test.json");
    int valid = 0;
    int acceptableRefused = 0;
    Map<String, Integer> acceptableAcceptedByFlag = new TreeMap<>();
    int acceptableAccepted = 0;
    for (JsonNode group : file.get("testGroups")) {
      for (JsonNode test : group.get("tests")) {
        String result = test.get("result").asText();
        List<String> flags = flags(test);
        assertThat(result).as(describe(test)).isIn("valid", "acceptable");

        if (flags.contains("ZeroSharedSecret")) {
          assertRefused(test);
          acceptableRefused++;
        } else {
          assertAccepted(test);
          if (result.equals("valid")) {
            valid++;
          } else {
            flags.forEach(flag -> acceptableAcceptedByFlag.merge(flag, 1, Integer::sum));
            acceptableAccepted++;
          }
        }
      }
    }
    System.out.println(
        "Wycheproof X25519: "
            + (valid + acceptableAccepted + acceptableRefused)
            + " cases (valid "
            + valid
            + ", all accepted; acceptable "
            + (acceptableAccepted + acceptableRefused)
            + ": "
            + acceptableAccepted
            + " accepted "
            + acceptableAcceptedByFlag
            + ", "
            + acceptableRefused
            + " refused as ZeroSharedSecret)");
    assertThat(valid + acceptableAccepted + acceptableRefused)
        .isEqualTo(file.get("numberOfTests").asInt());
    assertThat(acceptableAcceptedByFlag).containsKeys("Twist", "NonCanonicalPublic");
  }

  private static void assertAccepted(JsonNode test) {
    byte[] privateKey = hex(test, "private");
    byte[] publicKey = hex(test, "public");
    byte[] commandKey = Hashing.sha3(hex(test, "shared"));

    assertThat(Agreement.x25519(privateKey, publicKey))
        .as(describe(test))
        .hasValueSatisfying(shared -> assertThat(shared).isEqualTo(hex(test, "shared")));
    assertThat(Agreement.sharedKey(privateKey, publicKey))
        .as(describe(test))
        .hasValueSatisfying(key -> assertThat(key).isEqualTo(commandKey));
    assertThat(Keys.sharedKey(privateKey, publicKey)).as(describe(test)).isEqualTo(commandKey);
  }

  private static void assertRefused(JsonNode test) {
    byte[] privateKey = hex(test, "private");
    byte[] publicKey = hex(test, "public");

    assertThat(Agreement.x25519(privateKey, publicKey)).as(describe(test)).isEmpty();
    assertThat(Agreement.sharedKey(privateKey, publicKey)).as(describe(test)).isEmpty();
    assertThatExceptionOfType(E4Exception.class)
        .as(describe(test))
        .isThrownBy(() -> Keys.sharedKey(privateKey, publicKey))
        .satisfies(e -> assertThat(e.reason()).isEqualTo(E4Exception.Reason.INVALID_KEY));
  }

  private static List<String> flags(JsonNode test) {
    List<String> flags = new ArrayList<>();
    test.get("flags").forEach(flag -> flags.add(flag.asText()));
    return flags;
  }
}
