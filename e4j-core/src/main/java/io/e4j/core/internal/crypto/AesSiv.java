package io.e4j.core.internal.crypto;

import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;

/**
 * AES-SIV (RFC 5297): S2V over AES-CMAC, then AES-CTR, on the JDK's AES (AES-NI on HotSpot).
 *
 * <p>Deterministic: equal keys, associated data and plaintexts give equal ciphertexts. Each thread
 * gets its own cipher objects, so one instance is safe to share; nothing is allocated per call
 * beyond what the JDK's CTR re-initialisation needs.
 */
public final class AesSiv {
  public static final int BLOCK = 16;
  public static final int TAG_SIZE = 16;

  private static final IvParameterSpec ZERO_IV = new IvParameterSpec(new byte[BLOCK]);
  private static final int CHUNK = 4096;

  /**
   * Up to this length, CTR runs as one ECB call over prepared counter blocks with a cipher keyed
   * once: re-initialising the JDK's CTR cipher per message costs more than the encryption itself.
   */
  private static final int SHORT_CTR = 256;

  /**
   * Up to this length, CMAC's input is prepared in one buffer and encrypted in a single call;
   * longer inputs stream through, all but their last blocks untouched.
   */
  private static final int SHORT_CMAC = 512;

  private final ThreadLocal<Engine> engines = ThreadLocal.withInitial(Engine::new);

  /**
   * A key for generic AES-SIV: the first half keys S2V, the second half keys CTR (32, 48 or 64
   * bytes for AES-128, -192 or -256).
   */
  public SivKey key(byte[] sivKey) {
    if (sivKey.length != 32 && sivKey.length != 48 && sivKey.length != 64) {
      throw new IllegalArgumentException("AES-SIV keys are 32, 48 or 64 bytes");
    }
    int half = sivKey.length / 2;
    return derive(new RawAesKey(sivKey, 0, half), new RawAesKey(sivKey, half, half));
  }

  /** E4's key: the 32-byte key written twice (K || K), one AES-256 schedule for both halves. */
  public SivKey e4Key(byte[] key, int off) {
    RawAesKey aesKey = new RawAesKey(key, off, 32);
    return derive(aesKey, aesKey);
  }

  private SivKey derive(RawAesKey macKey, RawAesKey ctrKey) {
    Engine engine = engines.get();
    byte[] l = new byte[BLOCK];
    engine.encryptBlock(macKey, l);
    byte[] subkey1 = new byte[BLOCK];
    byte[] subkey2 = new byte[BLOCK];
    dbl(l, subkey1);
    dbl(subkey1, subkey2);
    Bytes.zero(l);
    byte[] zeroBlockMac = subkey1.clone();
    engine.encryptBlock(macKey, zeroBlockMac);
    return new SivKey(macKey, ctrKey, subkey1, subkey2, zeroBlockMac);
  }

  /**
   * Seals {@code in[inOff, inOff+inLen)} with one associated-data string: writes the tag at {@code
   * out[tagOff]} and the ciphertext right after it.
   */
  public void seal(
      SivKey key,
      byte[] ad,
      int adOff,
      int adLen,
      byte[] in,
      int inOff,
      int inLen,
      byte[] out,
      int tagOff) {
    Engine engine = engines.get();
    engine.s2vStartWith(key, ad, adOff, adLen);
    engine.s2vFinish(key, in, inOff, inLen);
    System.arraycopy(engine.v, 0, out, tagOff, TAG_SIZE);
    engine.ctr(key, in, inOff, inLen, out, tagOff + TAG_SIZE);
  }

  /**
   * Opens {@code in[tagOff, tagOff+16+ctLen)} (tag then ciphertext) into {@code out[outOff]}.
   * Returns false, with the output zeroed, when the tag does not authenticate.
   */
  public boolean open(
      SivKey key,
      byte[] ad,
      int adOff,
      int adLen,
      byte[] in,
      int tagOff,
      int ctLen,
      byte[] out,
      int outOff) {
    Engine engine = engines.get();
    System.arraycopy(in, tagOff, engine.expectedTag, 0, TAG_SIZE);
    engine.ctrWithIv(key, engine.expectedTag, in, tagOff + TAG_SIZE, ctLen, out, outOff);
    engine.s2vStartWith(key, ad, adOff, adLen);
    engine.s2vFinish(key, out, outOff, ctLen);
    if (Bytes.constantTimeEquals(engine.v, engine.expectedTag)) {
      return true;
    }
    java.util.Arrays.fill(out, outOff, outOff + ctLen, (byte) 0);
    return false;
  }

  /** Generic AES-SIV with any number of associated-data strings; returns tag || ciphertext. */
  public byte[] seal(SivKey key, List<byte[]> associatedData, byte[] plaintext) {
    Engine engine = engines.get();
    engine.s2vStart(key);
    for (byte[] ad : associatedData) {
      engine.s2vAbsorb(key, ad, 0, ad.length);
    }
    engine.s2vFinish(key, plaintext, 0, plaintext.length);
    byte[] out = new byte[TAG_SIZE + plaintext.length];
    System.arraycopy(engine.v, 0, out, 0, TAG_SIZE);
    engine.ctr(key, plaintext, 0, plaintext.length, out, TAG_SIZE);
    return out;
  }

  /** Generic AES-SIV open; empty when the input is shorter than a tag or does not authenticate. */
  public Optional<byte[]> open(SivKey key, List<byte[]> associatedData, byte[] tagAndCiphertext) {
    if (tagAndCiphertext.length < TAG_SIZE) {
      return Optional.empty();
    }
    Engine engine = engines.get();
    int ctLen = tagAndCiphertext.length - TAG_SIZE;
    byte[] out = new byte[ctLen];
    System.arraycopy(tagAndCiphertext, 0, engine.expectedTag, 0, TAG_SIZE);
    engine.ctrWithIv(key, engine.expectedTag, tagAndCiphertext, TAG_SIZE, ctLen, out, 0);
    engine.s2vStart(key);
    for (byte[] ad : associatedData) {
      engine.s2vAbsorb(key, ad, 0, ad.length);
    }
    engine.s2vFinish(key, out, 0, ctLen);
    if (Bytes.constantTimeEquals(engine.v, engine.expectedTag)) {
      return Optional.of(out);
    }
    Bytes.zero(out);
    return Optional.empty();
  }

  /**
   * AES-CMAC (RFC 4493) under a 16-, 24- or 32-byte AES key: the MAC inside S2V, on its own so it
   * can be held to CMAC's own test vectors.
   */
  public byte[] cmac(byte[] aesKey, byte[] data) {
    if (aesKey.length != 16 && aesKey.length != 24 && aesKey.length != 32) {
      throw new IllegalArgumentException("AES keys are 16, 24 or 32 bytes");
    }
    RawAesKey key = new RawAesKey(aesKey, 0, aesKey.length);
    SivKey cmacKey = derive(key, key);
    try {
      Engine engine = engines.get();
      engine.cmac(cmacKey, data, 0, data.length, false);
      return engine.mac.clone();
    } finally {
      cmacKey.destroy();
    }
  }

  /** Doubling in GF(2^128) as RFC 5297 defines it; constant time. */
  static void dbl(byte[] in, byte[] out) {
    int carry = (in[0] >> 7) & 1;
    for (int i = 0; i < BLOCK - 1; i++) {
      out[i] = (byte) ((in[i] << 1) | ((in[i + 1] & 0xff) >>> 7));
    }
    out[BLOCK - 1] = (byte) ((in[BLOCK - 1] << 1) ^ (-carry & 0x87));
  }

  private static void xorInto(byte[] target, int targetOff, byte[] source, int sourceOff, int len) {
    for (int i = 0; i < len; i++) {
      target[targetOff + i] ^= source[sourceOff + i];
    }
  }

  /** One thread's cipher objects and scratch space. */
  private static final class Engine {
    private final Cipher cbc;
    private final Cipher ecb;
    private final Cipher ctr;
    private RawAesKey cbcKey;
    private RawAesKey ecbKey;
    private final byte[] counters = new byte[SHORT_CTR];
    private final byte[] keystream = new byte[SHORT_CTR];
    private final byte[] scratch = new byte[CHUNK];
    private final byte[] tail = new byte[SHORT_CMAC];
    private final byte[] tailOut = new byte[SHORT_CMAC];
    private final byte[] mac = new byte[BLOCK];
    private final byte[] d = new byte[BLOCK];
    private final byte[] v = new byte[BLOCK];
    private final byte[] q = new byte[BLOCK];
    private final byte[] expectedTag = new byte[BLOCK];

    Engine() {
      try {
        cbc = Cipher.getInstance("AES/CBC/NoPadding");
        ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ctr = Cipher.getInstance("AES/CTR/NoPadding");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("this JDK has no AES/CBC, AES/ECB or AES/CTR", e);
      }
    }

    /** CBC with a zero IV; {@code doFinal} returns the cipher to that state after each MAC. */
    private void useMacKey(RawAesKey key) throws GeneralSecurityException {
      if (cbcKey != key) {
        cbcKey = null;
        cbc.init(Cipher.ENCRYPT_MODE, key, ZERO_IV);
        cbcKey = key;
      }
    }

    void encryptBlock(RawAesKey key, byte[] block) {
      try {
        useMacKey(key);
        cbc.doFinal(block, 0, BLOCK, block, 0);
      } catch (GeneralSecurityException | RuntimeException e) {
        cbcKey = null;
        throw new IllegalStateException("AES failed", e);
      }
    }

    void s2vStart(SivKey key) {
      System.arraycopy(key.zeroBlockMac, 0, d, 0, BLOCK);
    }

    /** S2V's start and one associated-data string, reusing the key's last 8-byte one. */
    void s2vStartWith(SivKey key, byte[] ad, int off, int len) {
      if (len != 8) {
        s2vStart(key);
        s2vAbsorb(key, ad, off, len);
        return;
      }
      long value = Bytes.getLong(ad, off);
      SivKey.AbsorbedTimestamp absorbed = key.lastTimestamp;
      if (absorbed != null && absorbed.value == value) {
        System.arraycopy(absorbed.d, 0, d, 0, BLOCK);
        return;
      }
      s2vStart(key);
      s2vAbsorb(key, ad, off, len);
      key.lastTimestamp = new SivKey.AbsorbedTimestamp(value, d.clone());
    }

    void s2vAbsorb(SivKey key, byte[] ad, int off, int len) {
      dbl(d, d);
      cmac(key, ad, off, len, false);
      xorInto(d, 0, mac, 0, BLOCK);
    }

    /** Leaves the synthetic IV in {@link #v}. */
    void s2vFinish(SivKey key, byte[] p, int off, int len) {
      if (len >= BLOCK) {
        cmac(key, p, off, len, true);
      } else {
        dbl(d, tail);
        xorInto(tail, 0, p, off, len);
        tail[len] ^= (byte) 0x80;
        System.arraycopy(tail, 0, v, 0, BLOCK);
        cmac(key, v, 0, BLOCK, false);
      }
      System.arraycopy(mac, 0, v, 0, BLOCK);
    }

    /**
     * Leaves CMAC(data[off, off+len)) in {@link #mac}; with {@code xorEnd}, the last 16 bytes are
     * first XORed with {@link #d} (S2V's "xorend", len >= 16).
     */
    private void cmac(SivKey key, byte[] data, int off, int len, boolean xorEnd) {
      try {
        useMacKey(key.macKey);
        int blocks = Math.max(1, (len + BLOCK - 1) / BLOCK);
        int lastStart = (blocks - 1) * BLOCK;
        int tailStart = lastStart;
        if (lastStart + BLOCK <= SHORT_CMAC) {
          tailStart = 0;
        } else if (xorEnd && len - BLOCK < lastStart) {
          tailStart = lastStart - BLOCK;
        }
        for (int done = 0; done < tailStart; ) {
          int n = Math.min(CHUNK, tailStart - done);
          cbc.update(data, off + done, n, scratch, 0);
          done += n;
        }
        int tailLen = len - tailStart;
        int roundedTail = lastStart + BLOCK - tailStart;
        System.arraycopy(data, off + tailStart, tail, 0, tailLen);
        java.util.Arrays.fill(tail, tailLen, roundedTail, (byte) 0);
        if (xorEnd) {
          xorInto(tail, tailLen - BLOCK, d, 0, BLOCK);
        }
        int lastLen = len - lastStart;
        int lastInTail = lastStart - tailStart;
        if (len > 0 && lastLen == BLOCK) {
          xorInto(tail, lastInTail, key.subkey1, 0, BLOCK);
        } else {
          tail[lastInTail + lastLen] = (byte) 0x80;
          xorInto(tail, lastInTail, key.subkey2, 0, BLOCK);
        }
        cbc.doFinal(tail, 0, roundedTail, tailOut, 0);
        System.arraycopy(tailOut, roundedTail - BLOCK, mac, 0, BLOCK);
      } catch (GeneralSecurityException | RuntimeException e) {
        cbcKey = null;
        throw new IllegalStateException("AES-CMAC failed", e);
      }
    }

    void ctr(SivKey key, byte[] in, int inOff, int len, byte[] out, int outOff) {
      ctrWithIv(key, v, in, inOff, len, out, outOff);
    }

    /** AES-CTR from the synthetic IV with bits 63 and 31 cleared (RFC 5297, section 2.5). */
    void ctrWithIv(SivKey key, byte[] iv, byte[] in, int inOff, int len, byte[] out, int outOff) {
      if (len == 0) {
        return;
      }
      System.arraycopy(iv, 0, q, 0, BLOCK);
      q[8] &= 0x7f;
      q[12] &= 0x7f;
      if (len <= SHORT_CTR) {
        shortCtr(key.ctrKey, in, inOff, len, out, outOff);
        return;
      }
      try {
        ctr.init(Cipher.ENCRYPT_MODE, key.ctrKey, new IvParameterSpec(q));
        ctr.doFinal(in, inOff, len, out, outOff);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-CTR failed", e);
      }
    }

    /** CTR from the counter in {@link #q}, which counts as a 128-bit big-endian integer. */
    private void shortCtr(RawAesKey key, byte[] in, int inOff, int len, byte[] out, int outOff) {
      int blocks = (len + BLOCK - 1) / BLOCK;
      long high = Bytes.getLongBigEndian(q, 0);
      long low = Bytes.getLongBigEndian(q, 8);
      for (int block = 0; block < blocks; block++) {
        Bytes.putLongBigEndian(counters, block * BLOCK, high);
        Bytes.putLongBigEndian(counters, block * BLOCK + 8, low);
        low++;
        if (low == 0) {
          high++;
        }
      }
      try {
        if (ecbKey != key) {
          ecbKey = null;
          ecb.init(Cipher.ENCRYPT_MODE, key);
          ecbKey = key;
        }
        ecb.doFinal(counters, 0, blocks * BLOCK, keystream, 0);
      } catch (GeneralSecurityException | RuntimeException e) {
        ecbKey = null;
        throw new IllegalStateException("AES failed", e);
      }
      for (int i = 0; i < len; i++) {
        out[outOff + i] = (byte) (in[inOff + i] ^ keystream[i]);
      }
      java.util.Arrays.fill(keystream, 0, blocks * BLOCK, (byte) 0);
    }
  }
}
