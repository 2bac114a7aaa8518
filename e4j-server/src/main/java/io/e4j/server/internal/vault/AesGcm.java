package io.e4j.server.internal.vault;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** AES-256-GCM with a random 96-bit nonce: {@code nonce (12) || ciphertext || tag (16)}. */
final class AesGcm {
  static final int NONCE = 12;
  static final int TAG = 16;
  static final int OVERHEAD = NONCE + TAG;

  private final SecureRandom random;
  private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(AesGcm::newCipher);

  AesGcm(SecureRandom random) {
    this.random = random;
  }

  byte[] seal(byte[] key, byte[] plaintext, byte[] associatedData, byte[] out, int outOffset) {
    byte[] nonce = new byte[NONCE];
    random.nextBytes(nonce);
    System.arraycopy(nonce, 0, out, outOffset, NONCE);
    try {
      Cipher cipher = ciphers.get();
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), spec(nonce));
      cipher.updateAAD(associatedData);
      cipher.doFinal(plaintext, 0, plaintext.length, out, outOffset + NONCE);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /** Returns the plaintext, or throws {@link AEADBadTagException} if anything was altered. */
  byte[] open(byte[] key, byte[] sealed, int offset, byte[] associatedData)
      throws AEADBadTagException {
    if (sealed.length - offset < OVERHEAD) {
      throw new AEADBadTagException("sealed value too short");
    }
    try {
      Cipher cipher = ciphers.get();
      cipher.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(TAG * 8, sealed, offset, NONCE));
      cipher.updateAAD(associatedData);
      return cipher.doFinal(sealed, offset + NONCE, sealed.length - offset - NONCE);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  private static GCMParameterSpec spec(byte[] nonce) {
    return new GCMParameterSpec(TAG * 8, nonce);
  }

  private static Cipher newCipher() {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }
}
