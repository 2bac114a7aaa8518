package io.e4j.core.internal.crypto;

import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * An AES key we can erase. The JDK's {@code SecretKeySpec} keeps a copy that cannot be destroyed on
 * Java 17; this one zeroes its bytes on {@link #destroy()}.
 */
final class RawAesKey implements SecretKey {
  private static final long serialVersionUID = 1L;

  private final byte[] key;
  private volatile boolean destroyed;

  RawAesKey(byte[] key, int off, int len) {
    this.key = Arrays.copyOfRange(key, off, off + len);
  }

  @Override
  public String getAlgorithm() {
    return "AES";
  }

  @Override
  public String getFormat() {
    return "RAW";
  }

  @Override
  public byte[] getEncoded() {
    if (destroyed) {
      throw new IllegalStateException("key destroyed");
    }
    return key.clone();
  }

  /** The key bytes themselves, for constant-time comparison; never hand them out. */
  byte[] bytes() {
    return key;
  }

  @Override
  public void destroy() {
    destroyed = true;
    Arrays.fill(key, (byte) 0);
  }

  @Override
  public boolean isDestroyed() {
    return destroyed;
  }

  @Override
  public String toString() {
    return "RawAesKey[" + key.length * 8 + " bits]";
  }
}
