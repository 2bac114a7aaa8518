package io.e4j.core.internal.crypto;

import static io.e4j.core.internal.crypto.Bytes.unhex;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** AES-SIV against the two worked examples of RFC 5297, appendix A. */
class Rfc5297Test {
  private static final AesSiv SIV = new AesSiv();

  record Example(
      String name, byte[] key, List<byte[]> associatedData, byte[] plaintext, String output) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final Example A1_DETERMINISTIC =
      new Example(
          "A.1 deterministic authenticated encryption",
          unhex("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0" + "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"),
          List.of(unhex("101112131415161718191a1b1c1d1e1f" + "2021222324252627")),
          unhex("112233445566778899aabbccddee"),
          "85632d07c6e8f37f950acd320a2ecc93" + "40c02b9690c4dc04daef7f6afe5c");

  private static final Example A2_NONCE_BASED =
      new Example(
          "A.2 nonce-based authenticated encryption",
          unhex("7f7e7d7c7b7a79787776757473727170" + "404142434445464748494a4b4c4d4e4f"),
          List.of(
              unhex(
                  "00112233445566778899aabbccddeeff"
                      + "deaddadadeaddadaffeeddccbbaa9988"
                      + "7766554433221100"),
              unhex("102030405060708090a0"),
              unhex("09f911029d74e35bd84156c5635688c0")),
          unhex(
              "7468697320697320736f6d6520706c61"
                  + "696e7465787420746f20656e63727970"
                  + "74207573696e67205349562d414553"),
          "7bdb6e3b432667eb06f4d14bff2fbd0f"
              + "cb900f2fddbe404326601965c889bf17"
              + "dba77ceb094fa663b7a3f748ba8af829"
              + "ea64ad544a272e9c485b62a3fd5c0d");

  static List<Example> examples() {
    return List.of(A1_DETERMINISTIC, A2_NONCE_BASED);
  }

  @AfterAll
  static void printCount() {
    System.out.println(
        "RFC 5297 appendix A: "
            + examples().size()
            + " examples through the generic AES-SIV, A.1 also through the E4 path");
  }

  @ParameterizedTest
  @MethodSource("examples")
  void seal_givesTheRfcOutput(Example example) {
    SivKey key = SIV.key(example.key());

    assertThat(Bytes.hex(SIV.seal(key, example.associatedData(), example.plaintext())))
        .isEqualTo(example.output());
  }

  @ParameterizedTest
  @MethodSource("examples")
  void open_recoversTheRfcPlaintext(Example example) {
    SivKey key = SIV.key(example.key());

    assertThat(SIV.open(key, example.associatedData(), unhex(example.output())))
        .hasValueSatisfying(plaintext -> assertThat(plaintext).isEqualTo(example.plaintext()));
  }

  @ParameterizedTest
  @MethodSource("examples")
  void open_withAFlippedCiphertextBit_rejected(Example example) {
    byte[] tampered = unhex(example.output());
    tampered[tampered.length - 1] ^= 1;

    assertThat(SIV.open(SIV.key(example.key()), example.associatedData(), tampered)).isEmpty();
  }

  /** S2V chains its inputs, so the same strings in another order are other associated data. */
  @Test
  void a2_associatedDataInAnotherOrder_rejected() {
    List<byte[]> ad = A2_NONCE_BASED.associatedData();
    List<byte[]> swapped = List.of(ad.get(1), ad.get(0), ad.get(2));

    assertThat(SIV.open(SIV.key(A2_NONCE_BASED.key()), swapped, unhex(A2_NONCE_BASED.output())))
        .isEmpty();
  }

  /**
   * A.1 has a single associated-data string, as E4 messages do, so it also runs through the
   * slice-based path laid out like an E4 message: associated data, then tag, then ciphertext.
   */
  @Test
  void a1_throughTheE4Path_sealsAndOpensInPlace() {
    SivKey key = SIV.key(A1_DETERMINISTIC.key());
    byte[] ad = A1_DETERMINISTIC.associatedData().get(0);
    byte[] plaintext = A1_DETERMINISTIC.plaintext();
    byte[] message = Arrays.copyOf(ad, ad.length + AesSiv.TAG_SIZE + plaintext.length);

    SIV.seal(key, message, 0, ad.length, plaintext, 0, plaintext.length, message, ad.length);
    byte[] opened = new byte[plaintext.length];
    boolean authentic =
        SIV.open(key, message, 0, ad.length, message, ad.length, plaintext.length, opened, 0);

    assertThat(Bytes.hex(Arrays.copyOfRange(message, ad.length, message.length)))
        .isEqualTo(A1_DETERMINISTIC.output());
    assertThat(authentic).isTrue();
    assertThat(opened).isEqualTo(plaintext);
  }
}
