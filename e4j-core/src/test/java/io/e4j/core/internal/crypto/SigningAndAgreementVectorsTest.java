package io.e4j.core.internal.crypto;

import static io.e4j.core.internal.crypto.Wycheproof.describe;
import static io.e4j.core.internal.crypto.Wycheproof.hex;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.e4j.core.E4Exception;
import io.e4j.core.Keys;
import io.e4j.core.internal.protocol.PeerKey;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Ed25519 and X25519 against every Wycheproof case. */
class SigningAndAgreementVectorsTest {
  /**
   * Both verification paths: from the encoded key, and the E4 path, where a peer's key is decoded
   * once (rejecting invalid encodings) and reused.
   */
  @Test
  void wycheproofEd25519_everyCase() {
    int valid = 0;
    int invalid = 0;
    for (JsonNode group : Wycheproof.load("ed25519_test.json").get("testGroups")) {
      byte[] publicKey = Bytes.unhex(group.get("publicKey").get("pk").asText());
      Optional<PeerKey> peer = PeerKey.of(publicKey);
      for (JsonNode test : group.get("tests")) {
        byte[] message = hex(test, "msg");
        byte[] signature = hex(test, "sig");
        boolean expected = test.get("result").asText().equals("valid");

        assertThat(Signing.verify(publicKey, message, signature))
            .as(describe(test))
            .isEqualTo(expected);
        boolean viaPeerKey =
            peer.isPresent()
                && signature.length == Signing.SIGNATURE_SIZE
                && Signing.verify(peer.get().point(), message, 0, message.length, signature, 0);
        assertThat(viaPeerKey).as(describe(test) + " (decoded key)").isEqualTo(expected);
        if (expected) {
          valid++;
        } else {
          invalid++;
        }
      }
    }
    System.out.println(
        "Wycheproof Ed25519: "
            + (valid + invalid)
            + " cases ("
            + valid
            + " valid, "
            + invalid
            + " invalid)");
    assertThat(valid + invalid).isEqualTo(151);
  }

  /**
   * "Acceptable" cases are low-order or non-canonical public keys. e4j computes X25519 as RFC 7748
   * says (non-canonical u-coordinates reduced, twist points allowed) and refuses only an all-zero
   * shared secret, the one result that would make the shared key public.
   */
  @Test
  void wycheproofX25519_everyCase() {
    int computed = 0;
    int refusedAllZero = 0;
    for (JsonNode group : Wycheproof.load("x25519_test.json").get("testGroups")) {
      for (JsonNode test : group.get("tests")) {
        byte[] privateKey = hex(test, "private");
        byte[] publicKey = hex(test, "public");
        byte[] shared = hex(test, "shared");
        assertThat(test.get("result").asText()).isIn("valid", "acceptable");

        assertThat(Bytes.hex(Agreement.x25519Raw(privateKey, publicKey)))
            .as(describe(test))
            .isEqualTo(test.get("shared").asText());
        if (Bytes.isAllZero(shared)) {
          assertThat(Agreement.x25519(privateKey, publicKey)).as(describe(test)).isEmpty();
          assertThat(sharedKeyRefused(privateKey, publicKey)).as(describe(test)).isTrue();
          refusedAllZero++;
        } else {
          assertThat(Agreement.x25519(privateKey, publicKey)).as(describe(test)).contains(shared);
          assertThat(Keys.sharedKey(privateKey, publicKey)).isEqualTo(Hashing.sha3(shared));
          computed++;
        }
      }
    }
    System.out.println(
        "Wycheproof X25519: "
            + (computed + refusedAllZero)
            + " cases ("
            + computed
            + " computed, "
            + refusedAllZero
            + " all-zero shared secrets refused)");
    assertThat(computed + refusedAllZero).isEqualTo(518);
  }

  private static boolean sharedKeyRefused(byte[] privateKey, byte[] publicKey) {
    try {
      Keys.sharedKey(privateKey, publicKey);
      return false;
    } catch (E4Exception e) {
      return e.reason() == E4Exception.Reason.INVALID_KEY;
    }
  }
}
