package io.e4j.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.crypto.tink.subtle.PrfAesCmac;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * AES-SIV and AES-CMAC against Google Tink where the standard vectors do not reach: Wycheproof's
 * messages stop at 80 bytes and none of its associated data is 8 bytes long, while e4j changes
 * strategy at 256 bytes (CTR), 512 bytes (CMAC) and 4 KiB (CMAC chunks), and caches S2V's state
 * after an 8-byte associated-data string, E4's timestamp.
 */
class AesSivAgainstTinkTest {
  private static final int[] LENGTHS =
      IntStream.concat(
              IntStream.rangeClosed(0, 600),
              IntStream.of(1023, 1024, 1025, 4095, 4096, 4097, 4111, 4112, 4113, 8192, 8209))
          .toArray();

  private static final int TIMESTAMP_SIZE = 8;

  private final AesSiv siv = new AesSiv();
  private final Random random = new Random(5297);

  @Test
  void genericSiv_agreesWithTink_forEveryLengthAndUpToThreeAssociatedDataStrings()
      throws GeneralSecurityException {
    int cases = 0;
    for (int keySize : new int[] {32, 64}) {
      for (int length : LENGTHS) {
        byte[] keyBytes = randomBytes(keySize);
        SivKey key = siv.key(keyBytes);
        List<byte[]> associatedData = randomStrings(length % 4, length + 17);
        byte[] plaintext = randomBytes(length);
        byte[] expected =
            new com.google.crypto.tink.subtle.AesSiv(keyBytes)
                .encryptDeterministicallyWithAssociatedDatas(
                    plaintext, associatedData.toArray(byte[][]::new));

        assertThat(siv.seal(key, associatedData, plaintext))
            .as("%d-byte key, %d-byte plaintext", keySize, length)
            .isEqualTo(expected);
        assertThat(siv.open(key, associatedData, expected))
            .hasValueSatisfying(opened -> assertThat(opened).isEqualTo(plaintext));
        cases++;
      }
    }
    System.out.println("AES-SIV against Tink, generic path: " + cases + " cases");
  }

  /**
   * One E4 key (K || K) for every message, timestamps repeating and coming back after others, so
   * both the cached and the fresh S2V start are checked, by sealing and by opening.
   */
  @Test
  void e4Path_agreesWithTink_asTimestampsRepeat() throws GeneralSecurityException {
    byte[] e4Key = randomBytes(32);
    SivKey key = siv.e4Key(e4Key, 0);
    var tink = new com.google.crypto.tink.subtle.AesSiv(Bytes.concat(e4Key, e4Key));
    int cases = 0;
    for (int length : LENGTHS) {
      byte[] timestamp = new byte[TIMESTAMP_SIZE];
      Bytes.putLong(timestamp, 0, 1_700_000_000L + (cases / 3) % 4);
      byte[] payload = randomBytes(length);
      byte[] expected = Bytes.concat(timestamp, tink.encryptDeterministically(payload, timestamp));

      byte[] sealed = Arrays.copyOf(timestamp, expected.length);
      siv.seal(key, sealed, 0, TIMESTAMP_SIZE, payload, 0, length, sealed, TIMESTAMP_SIZE);
      byte[] opened = new byte[length];
      boolean authentic =
          siv.open(key, expected, 0, TIMESTAMP_SIZE, expected, TIMESTAMP_SIZE, length, opened, 0);

      assertThat(sealed).as("%d-byte payload", length).isEqualTo(expected);
      assertThat(authentic).as("%d-byte payload", length).isTrue();
      assertThat(opened).isEqualTo(payload);
      cases++;
    }
    System.out.println(
        "AES-SIV against Tink, E4 path with repeating timestamps: " + cases + " cases");
  }

  @Test
  void cmac_agreesWithTink() throws GeneralSecurityException {
    int cases = 0;
    for (int keySize : new int[] {16, 32}) {
      for (int length : LENGTHS) {
        byte[] key = randomBytes(keySize);
        byte[] data = randomBytes(length);

        assertThat(siv.cmac(key, data))
            .as("%d-byte key, %d-byte input", keySize, length)
            .isEqualTo(new PrfAesCmac(key).compute(data, AesSiv.TAG_SIZE));
        cases++;
      }
    }
    System.out.println("AES-CMAC against Tink: " + cases + " cases");
  }

  private List<byte[]> randomStrings(int count, int maxLengthExclusive) {
    List<byte[]> strings = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      strings.add(randomBytes(random.nextInt(maxLengthExclusive)));
    }
    return strings;
  }

  private byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }
}
