package io.e4j.core.internal.crypto;

import javax.security.auth.Destroyable;

/**
 * An AES-SIV key (RFC 5297) with its CMAC constants derived once: the two CMAC sub-keys and {@code
 * CMAC(0^128)}, the constant S2V starts from. Safe to share between threads; {@link #destroy()}
 * erases it.
 *
 * <p>It also remembers S2V's state after the last 8-byte associated-data string it absorbed. E4's
 * associated data is the timestamp in seconds, the same for every message of a second, so this
 * saves one of the three AES calls of a small message.
 */
public final class SivKey implements Destroyable {
  final RawAesKey macKey;
  final RawAesKey ctrKey;
  final byte[] subkey1;
  final byte[] subkey2;
  final byte[] zeroBlockMac;
  volatile AbsorbedTimestamp lastTimestamp;

  /** S2V's running value {@code d} after absorbing the 8-byte associated data {@code value}. */
  static final class AbsorbedTimestamp {
    final long value;
    final byte[] d;

    AbsorbedTimestamp(long value, byte[] d) {
      this.value = value;
      this.d = d;
    }
  }

  SivKey(RawAesKey macKey, RawAesKey ctrKey, byte[] subkey1, byte[] subkey2, byte[] zeroBlockMac) {
    this.macKey = macKey;
    this.ctrKey = ctrKey;
    this.subkey1 = subkey1;
    this.subkey2 = subkey2;
    this.zeroBlockMac = zeroBlockMac;
  }

  /** True when both keys hold the same bytes; constant time. */
  public boolean sameKeyAs(SivKey other) {
    return Bytes.constantTimeEquals(macKey.bytes(), other.macKey.bytes())
        && Bytes.constantTimeEquals(ctrKey.bytes(), other.ctrKey.bytes());
  }

  /** A copy of the CTR half; for E4 keys (K || K) this is the 32-byte E4 key itself. */
  public byte[] ctrKeyBytes() {
    return ctrKey.bytes().clone();
  }

  @Override
  public void destroy() {
    macKey.destroy();
    ctrKey.destroy();
    Bytes.zero(subkey1, subkey2, zeroBlockMac);
    AbsorbedTimestamp absorbed = lastTimestamp;
    if (absorbed != null) {
      Bytes.zero(absorbed.d);
    }
  }

  @Override
  public boolean isDestroyed() {
    return macKey.isDestroyed();
  }

  @Override
  public String toString() {
    return "SivKey[" + (macKey.bytes().length + ctrKey.bytes().length) * 8 + " bits]";
  }
}
