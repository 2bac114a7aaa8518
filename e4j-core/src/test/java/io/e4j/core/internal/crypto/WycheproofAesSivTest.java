package io.e4j.core.internal.crypto;

import static io.e4j.core.internal.crypto.Wycheproof.describe;
import static io.e4j.core.internal.crypto.Wycheproof.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** AES-SIV and the AES-CMAC inside it against every Wycheproof case. */
class WycheproofAesSivTest {
  private final AesSiv siv = new AesSiv();

  @Test
  void everyAesSivCase_throughTheGenericSiv() {
    JsonNode file = Wycheproof.load("aes_siv_cmac_test.json");
    Map<Integer, Integer> casesByKeyBits = new TreeMap<>();
    int valid = 0;
    int invalid = 0;
    for (JsonNode group : file.get("testGroups")) {
      int keyBits = group.get("keySize").asInt();
      for (JsonNode test : group.get("tests")) {
        SivKey key = siv.key(hex(test, "key"));
        List<byte[]> associatedData = List.of(associatedData(test));
        byte[] message = hex(test, "msg");

        Optional<byte[]> opened = siv.open(key, associatedData, hex(test, "ct"));

        if (isValid(test)) {
          assertThat(Bytes.hex(siv.seal(key, associatedData, message)))
              .as(describe(test))
              .isEqualTo(test.get("ct").asText());
          assertThat(opened)
              .as(describe(test))
              .hasValueSatisfying(plaintext -> assertThat(plaintext).isEqualTo(message));
          valid++;
        } else {
          assertThat(opened).as(describe(test)).isEmpty();
          invalid++;
        }
        casesByKeyBits.merge(keyBits, 1, Integer::sum);
      }
    }
    StringBuilder bySize = new StringBuilder();
    casesByKeyBits.forEach((bits, n) -> bySize.append(bits).append("-bit ").append(n).append(", "));
    System.out.println(
        "Wycheproof AES-SIV-CMAC: "
            + (valid + invalid)
            + " cases ("
            + bySize
            + "valid "
            + valid
            + ", invalid "
            + invalid
            + ")");
    assertThat(valid + invalid).isEqualTo(file.get("numberOfTests").asInt());
    assertThat(casesByKeyBits).containsOnlyKeys(256, 384, 512);
  }

  /**
   * The 512-bit group is AES-256 in both halves, E4's strength. E4 messages take exactly one
   * associated-data string (the timestamp) and keep it in the same buffer as the tag and the
   * ciphertext, so each case is laid out that way: associated data, tag, ciphertext. Wycheproof's
   * deterministic-AEAD format has one associated-data string per case, so every 512-bit case
   * qualifies; a case with several strings could not be expressed through this path.
   */
  @Test
  void every512BitCase_throughTheE4Path() {
    int valid = 0;
    int invalid = 0;
    for (JsonNode group : Wycheproof.load("aes_siv_cmac_test.json").get("testGroups")) {
      if (group.get("keySize").asInt() != 512) {
        continue;
      }
      for (JsonNode test : group.get("tests")) {
        SivKey key = siv.key(hex(test, "key"));
        byte[] ad = associatedData(test);
        byte[] message = Bytes.concat(ad, hex(test, "ct"));
        int ciphertextLength = message.length - ad.length - AesSiv.TAG_SIZE;
        byte[] opened = new byte[ciphertextLength];

        boolean authentic =
            siv.open(key, message, 0, ad.length, message, ad.length, ciphertextLength, opened, 0);

        assertThat(authentic).as(describe(test)).isEqualTo(isValid(test));
        if (authentic) {
          assertThat(opened).as(describe(test)).isEqualTo(hex(test, "msg"));
          assertThat(Bytes.hex(sealedInPlace(key, ad, opened)))
              .as(describe(test))
              .isEqualTo(Bytes.hex(message));
          valid++;
        } else {
          assertThat(opened)
              .as(describe(test) + ": output zeroed")
              .isEqualTo(new byte[ciphertextLength]);
          invalid++;
        }
      }
    }
    System.out.println(
        "Wycheproof AES-SIV-CMAC, 512-bit via E4 path: "
            + (valid + invalid)
            + " cases (valid "
            + valid
            + ", invalid "
            + invalid
            + ")");
    assertThat(valid + invalid).isEqualTo(147);
  }

  /** AES-CMAC (RFC 4493) is public on {@link AesSiv} so that S2V's MAC meets its own vectors. */
  @Test
  void everyAesCmacCase() {
    JsonNode file = Wycheproof.load("aes_cmac_test.json");
    int valid = 0;
    int invalid = 0;
    int refusedKeySizes = 0;
    for (JsonNode group : file.get("testGroups")) {
      assertThat(group.get("tagSize").asInt()).isEqualTo(8 * AesSiv.TAG_SIZE);
      for (JsonNode test : group.get("tests")) {
        byte[] key = hex(test, "key");
        byte[] message = hex(test, "msg");
        if (key.length != 16 && key.length != 24 && key.length != 32) {
          assertThat(isValid(test)).as(describe(test)).isFalse();
          assertThatIllegalArgumentException()
              .as(describe(test))
              .isThrownBy(() -> siv.cmac(key, message));
          refusedKeySizes++;
          continue;
        }
        boolean matches = Arrays.equals(siv.cmac(key, message), hex(test, "tag"));
        assertThat(matches).as(describe(test)).isEqualTo(isValid(test));
        if (matches) {
          valid++;
        } else {
          invalid++;
        }
      }
    }
    System.out.println(
        "Wycheproof AES-CMAC: "
            + (valid + invalid + refusedKeySizes)
            + " cases (valid "
            + valid
            + ", invalid "
            + (invalid + refusedKeySizes)
            + ", of which "
            + refusedKeySizes
            + " key sizes refused)");
    assertThat(valid + invalid + refusedKeySizes).isEqualTo(file.get("numberOfTests").asInt());
  }

  private byte[] sealedInPlace(SivKey key, byte[] ad, byte[] plaintext) {
    byte[] message = Arrays.copyOf(ad, ad.length + AesSiv.TAG_SIZE + plaintext.length);
    siv.seal(key, message, 0, ad.length, plaintext, 0, plaintext.length, message, ad.length);
    return message;
  }

  /** In this format "aad" is one hex string; a list would read as empty through {@code asText}. */
  private static byte[] associatedData(JsonNode test) {
    assertThat(test.get("aad").isTextual()).as(describe(test) + ": aad is one string").isTrue();
    return hex(test, "aad");
  }

  private static boolean isValid(JsonNode test) {
    return test.get("result").asText().equals("valid");
  }
}
