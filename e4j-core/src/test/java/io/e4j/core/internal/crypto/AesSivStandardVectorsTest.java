package io.e4j.core.internal.crypto;

import static io.e4j.core.internal.crypto.Wycheproof.describe;
import static io.e4j.core.internal.crypto.Wycheproof.hex;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** AES-SIV against RFC 5297's examples and every Wycheproof AES-SIV-CMAC case. */
class AesSivStandardVectorsTest {
  private final AesSiv siv = new AesSiv();

  @Test
  void rfc5297_a1_deterministic() {
    SivKey key =
        siv.key(Bytes.unhex("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"));
    byte[] ad = Bytes.unhex("101112131415161718191a1b1c1d1e1f2021222324252627");
    byte[] plaintext = Bytes.unhex("112233445566778899aabbccddee");

    byte[] output = siv.seal(key, List.of(ad), plaintext);

    assertThat(Bytes.hex(output))
        .isEqualTo("85632d07c6e8f37f950acd320a2ecc93" + "40c02b9690c4dc04daef7f6afe5c");
    assertThat(siv.open(key, List.of(ad), output)).contains(plaintext);
  }

  @Test
  void rfc5297_a2_nonceBasedWithSeveralAssociatedData() {
    SivKey key =
        siv.key(
            Bytes.unhex("7f7e7d7c7b7a79787776757473727170" + "404142434445464748494a4b4c4d4e4f"));
    List<byte[]> associatedData =
        List.of(
            Bytes.unhex(
                "00112233445566778899aabbccddeeff"
                    + "deaddadadeaddadaffeeddccbbaa9988"
                    + "7766554433221100"),
            Bytes.unhex("102030405060708090a0"),
            Bytes.unhex("09f911029d74e35bd84156c5635688c0"));
    byte[] plaintext =
        Bytes.unhex(
            "7468697320697320736f6d6520706c61"
                + "696e7465787420746f20656e63727970"
                + "74207573696e67205349562d414553");

    byte[] output = siv.seal(key, associatedData, plaintext);

    assertThat(Bytes.hex(output))
        .isEqualTo(
            "7bdb6e3b432667eb06f4d14bff2fbd0f"
                + "cb900f2fddbe404326601965c889bf17"
                + "dba77ceb094fa663b7a3f748ba8af829"
                + "ea64ad544a272e9c485b62a3fd5c0d");
    assertThat(siv.open(key, associatedData, output)).contains(plaintext);
    System.out.println("RFC 5297 appendix A: 2 examples checked");
  }

  @Test
  void wycheproof_everyCaseThroughTheGenericSiv() {
    Map<Integer, int[]> countsByKeySize = new TreeMap<>();
    for (JsonNode group : Wycheproof.load("aes_siv_cmac_test.json").get("testGroups")) {
      int keySize = group.get("keySize").asInt();
      for (JsonNode test : group.get("tests")) {
        SivKey key = siv.key(hex(test, "key"));
        List<byte[]> associatedData = List.of(hex(test, "aad"));
        byte[] message = hex(test, "msg");
        byte[] ciphertext = hex(test, "ct");
        boolean valid = test.get("result").asText().equals("valid");

        Optional<byte[]> opened = siv.open(key, associatedData, ciphertext);
        if (valid) {
          assertThat(Bytes.hex(siv.seal(key, associatedData, message)))
              .as(describe(test))
              .isEqualTo(test.get("ct").asText());
          assertThat(opened).as(describe(test)).contains(message);
        } else {
          assertThat(opened).as(describe(test)).isEmpty();
        }
        countsByKeySize.computeIfAbsent(keySize, size -> new int[2])[valid ? 0 : 1]++;
      }
    }
    int total = countsByKeySize.values().stream().mapToInt(c -> c[0] + c[1]).sum();
    StringBuilder summary = new StringBuilder();
    countsByKeySize.forEach(
        (size, c) ->
            summary
                .append(size)
                .append("-bit ")
                .append(c[0])
                .append(" valid/")
                .append(c[1])
                .append(" invalid; "));
    System.out.println(
        "Wycheproof AES-SIV-CMAC, generic SIV: " + total + " cases (" + summary + ")");
    assertThat(total).isEqualTo(442);
    assertThat(countsByKeySize).containsOnlyKeys(256, 384, 512);
  }

  /** AES-CMAC, which S2V is built on, with keys of every size (invalid sizes refused). */
  @Test
  void wycheproofAesCmac_everyCase() {
    int valid = 0;
    int invalid = 0;
    for (JsonNode group : Wycheproof.load("aes_cmac_test.json").get("testGroups")) {
      int tagBytes = group.get("tagSize").asInt() / 8;
      for (JsonNode test : group.get("tests")) {
        byte[] key = hex(test, "key");
        byte[] message = hex(test, "msg");
        boolean expected = test.get("result").asText().equals("valid");
        boolean matches;
        try {
          byte[] tag = java.util.Arrays.copyOf(siv.cmac(key, message), tagBytes);
          matches = Bytes.constantTimeEquals(tag, hex(test, "tag"));
        } catch (IllegalArgumentException e) {
          assertThat(test.get("flags").toString()).as(describe(test)).contains("InvalidKeySize");
          matches = false;
        }
        assertThat(matches).as(describe(test)).isEqualTo(expected);
        if (expected) {
          valid++;
        } else {
          invalid++;
        }
      }
    }
    System.out.println(
        "Wycheproof AES-CMAC: "
            + (valid + invalid)
            + " cases ("
            + valid
            + " valid, "
            + invalid
            + " invalid)");
    assertThat(valid + invalid).isEqualTo(311);
  }

  /**
   * The 512-bit group is AES-256 in both halves, E4's key size; E4 messages go through the
   * slice-based seal/open with exactly one associated-data string, and so does every case here.
   */
  @Test
  void wycheproof_512BitCasesThroughTheE4Path() {
    int cases = 0;
    for (JsonNode group : Wycheproof.load("aes_siv_cmac_test.json").get("testGroups")) {
      if (group.get("keySize").asInt() != 512) {
        continue;
      }
      for (JsonNode test : group.get("tests")) {
        SivKey key = siv.key(hex(test, "key"));
        byte[] ad = hex(test, "aad");
        byte[] message = hex(test, "msg");
        byte[] ciphertext = hex(test, "ct");
        boolean valid = test.get("result").asText().equals("valid");

        if (ciphertext.length < AesSiv.TAG_SIZE) {
          assertThat(valid).as(describe(test)).isFalse();
          cases++;
          continue;
        }
        int length = ciphertext.length - AesSiv.TAG_SIZE;
        byte[] opened = new byte[length];
        boolean authentic = siv.open(key, ad, 0, ad.length, ciphertext, 0, length, opened, 0);
        assertThat(authentic).as(describe(test)).isEqualTo(valid);
        if (valid) {
          byte[] sealed = new byte[AesSiv.TAG_SIZE + message.length];
          siv.seal(key, ad, 0, ad.length, message, 0, message.length, sealed, 0);
          assertThat(Bytes.hex(sealed)).as(describe(test)).isEqualTo(test.get("ct").asText());
          assertThat(opened).isEqualTo(message);
        } else {
          assertThat(opened).as("output zeroed on failure").isEqualTo(new byte[length]);
        }
        cases++;
      }
    }
    System.out.println(
        "Wycheproof AES-SIV-CMAC, 512-bit group through the E4 path: " + cases + " cases");
    assertThat(cases).isEqualTo(147);
  }
}
