package io.e4j.core.internal.protocol;

import io.e4j.core.internal.crypto.Bytes;

/**
 * A 16-byte identifier (a device ID or a topic hash) held as two longs, so that map look-ups on the
 * message path neither hash arrays nor allocate.
 */
public record Id16(long high, long low) {
  public static final int SIZE = 16;

  public static Id16 of(byte[] bytes) {
    if (bytes.length != SIZE) {
      throw new IllegalArgumentException("expected 16 bytes, got " + bytes.length);
    }
    return of(bytes, 0);
  }

  public static Id16 of(byte[] bytes, int off) {
    return new Id16(Bytes.getLongBigEndian(bytes, off), Bytes.getLongBigEndian(bytes, off + 8));
  }

  public byte[] toBytes() {
    byte[] out = new byte[SIZE];
    writeTo(out, 0);
    return out;
  }

  public void writeTo(byte[] out, int off) {
    Bytes.putLongBigEndian(out, off, high);
    Bytes.putLongBigEndian(out, off + 8, low);
  }

  public String hex() {
    return Bytes.hex(toBytes());
  }

  @Override
  public String toString() {
    return hex();
  }
}
