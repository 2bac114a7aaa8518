package io.e4j.core.internal.crypto;

import static io.e4j.core.internal.crypto.Wycheproof.describe;
import static io.e4j.core.internal.crypto.Wycheproof.hex;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.Test;

/** Ed25519 against every Wycheproof case, and signing where the private key is known. */
class WycheproofEd25519Test {
  /**
   * Wycheproof gives only public keys. These seeds are the ones behind some of them: the key
   * Wycheproof's generator signs its own cases with, and RFC 8032's section 7.1 tests 1, 2, 3 and
   * 1024 (the groups whose comment is "draft-josefsson-eddsa-ed25519-02: Test ...").
   */
  private static final Map<String, String> SEEDS_BY_PUBLIC_KEY =
      Map.of(
          "7d4d0e7f6153a69b6242b522abbee685fda4420f8834b108c3bdae369ef549fa",
          "add4bb8103785baf9ac534258e8aaf65f5f1adb5ef5f3df19bb80ab989c4d64b",
          "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
          "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
          "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
          "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
          "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
          "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
          "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
          "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5");

  @Test
  void everyCase_verifiesFromTheEncodedKey() {
    JsonNode file = Wycheproof.load("ed25519_test.json");
    int valid = 0;
    int invalid = 0;
    for (JsonNode group : file.get("testGroups")) {
      byte[] publicKey = publicKey(group);
      for (JsonNode test : group.get("tests")) {
        boolean verifies = Signing.verify(publicKey, hex(test, "msg"), hex(test, "sig"));

        assertThat(verifies).as(describe(test)).isEqualTo(isValid(test));
        if (verifies) {
          valid++;
        } else {
          invalid++;
        }
      }
    }
    System.out.println(
        "Wycheproof Ed25519: "
            + (valid + invalid)
            + " cases (valid "
            + valid
            + ", invalid "
            + invalid
            + ")");
    assertThat(valid + invalid).isEqualTo(file.get("numberOfTests").asInt());
  }

  /**
   * E4 decodes a sender's key once and verifies against the point, the signature being the last 64
   * bytes of the message. A signature of any other length cannot reach that path (it would be read
   * as 64 other bytes), so those cases are left to the test above.
   */
  @Test
  void every64ByteSignature_verifiesThroughTheE4Path() {
    JsonNode file = Wycheproof.load("ed25519_test.json");
    int valid = 0;
    int invalid = 0;
    int otherLengths = 0;
    for (JsonNode group : file.get("testGroups")) {
      Ed25519.PublicPoint point = Signing.decodePublicKey(publicKey(group)).orElseThrow();
      for (JsonNode test : group.get("tests")) {
        byte[] signature = hex(test, "sig");
        if (signature.length != Signing.SIGNATURE_SIZE) {
          assertThat(isValid(test)).as(describe(test)).isFalse();
          otherLengths++;
          continue;
        }
        byte[] message = Bytes.concat(hex(test, "msg"), signature);
        int signedLength = message.length - Signing.SIGNATURE_SIZE;

        boolean verifies = Signing.verify(point, message, 0, signedLength, message, signedLength);

        assertThat(verifies).as(describe(test)).isEqualTo(isValid(test));
        if (verifies) {
          valid++;
        } else {
          invalid++;
        }
      }
    }
    System.out.println(
        "Wycheproof Ed25519 via E4 path (decoded key): "
            + (valid + invalid)
            + " cases (valid "
            + valid
            + ", invalid "
            + invalid
            + "); "
            + otherLengths
            + " signatures of another length left out");
    assertThat(valid + invalid + otherLengths).isEqualTo(file.get("numberOfTests").asInt());
  }

  /** Ed25519 is deterministic: the known private keys must sign each valid case byte for byte. */
  @Test
  void everyValidCaseWithAKnownPrivateKey_signedIdentically() {
    Set<String> publicKeysUsed = new HashSet<>();
    int signed = 0;
    for (JsonNode group : Wycheproof.load("ed25519_test.json").get("testGroups")) {
      String publicKey = group.get("publicKey").get("pk").asText();
      String seed = SEEDS_BY_PUBLIC_KEY.get(publicKey);
      if (seed == null) {
        continue;
      }
      byte[] privateKey = Signing.privateKeyFromSeed(Bytes.unhex(seed));
      assertThat(Bytes.hex(privateKey)).isEqualTo(seed + publicKey);
      for (JsonNode test : group.get("tests")) {
        if (!isValid(test)) {
          continue;
        }
        byte[] message = hex(test, "msg");
        byte[] signature = new byte[Signing.SIGNATURE_SIZE];

        Signing.sign(privateKey, message, 0, message.length, signature, 0);

        assertThat(Bytes.hex(signature)).as(describe(test)).isEqualTo(test.get("sig").asText());
        publicKeysUsed.add(publicKey);
        signed++;
      }
    }
    System.out.println(
        "Wycheproof Ed25519, signed again from known private keys: " + signed + " cases");
    assertThat(publicKeysUsed).isEqualTo(SEEDS_BY_PUBLIC_KEY.keySet());
  }

  private static byte[] publicKey(JsonNode group) {
    return Bytes.unhex(group.get("publicKey").get("pk").asText());
  }

  private static boolean isValid(JsonNode test) {
    return test.get("result").asText().equals("valid");
  }
}
