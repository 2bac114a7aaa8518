package io.e4j.core.internal.crypto;

import java.security.MessageDigest;
import java.util.Arrays;

/** Small byte helpers shared by the codec, the crypto and the stores. */
public final class Bytes {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Bytes() {}

  /** Lower-case hex, as E4 writes IDs in control topics. */
  public static String hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[bytes[i] & 0xf];
    }
    return new String(out);
  }

  /**
   * Parses hex (either case).
   *
   * @throws IllegalArgumentException on an odd length or a non-hex character
   */
  public static byte[] unhex(String hex) {
    if (hex.length() % 2 != 0) {
      throw new IllegalArgumentException("hex string has an odd length");
    }
    byte[] out = new byte[hex.length() / 2];
    for (int i = 0; i < out.length; i++) {
      int hi = Character.digit(hex.charAt(2 * i), 16);
      int lo = Character.digit(hex.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        throw new IllegalArgumentException("not a hex string");
      }
      out[i] = (byte) ((hi << 4) | lo);
    }
    return out;
  }

  public static void putLong(byte[] out, int off, long value) {
    for (int i = 0; i < 8; i++) {
      out[off + i] = (byte) (value >>> (8 * i));
    }
  }

  public static long getLong(byte[] in, int off) {
    long value = 0;
    for (int i = 7; i >= 0; i--) {
      value = (value << 8) | (in[off + i] & 0xffL);
    }
    return value;
  }

  /** Big-endian, for splitting 16-byte identifiers into two longs. */
  public static long getLongBigEndian(byte[] in, int off) {
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | (in[off + i] & 0xffL);
    }
    return value;
  }

  public static void putLongBigEndian(byte[] out, int off, long value) {
    for (int i = 0; i < 8; i++) {
      out[off + i] = (byte) (value >>> (56 - 8 * i));
    }
  }

  /** Compares in time independent of where the inputs differ. */
  public static boolean constantTimeEquals(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }

  /** Compares {@code a[aOff, aOff+len)} with {@code b[bOff, bOff+len)} in constant time. */
  public static boolean constantTimeEquals(byte[] a, int aOff, byte[] b, int bOff, int len) {
    int diff = 0;
    for (int i = 0; i < len; i++) {
      diff |= a[aOff + i] ^ b[bOff + i];
    }
    return diff == 0;
  }

  public static boolean isAllZero(byte[] a) {
    int acc = 0;
    for (byte b : a) {
      acc |= b;
    }
    return acc == 0;
  }

  public static void zero(byte[]... buffers) {
    for (byte[] buffer : buffers) {
      if (buffer != null) {
        Arrays.fill(buffer, (byte) 0);
      }
    }
  }

  public static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] out = new byte[length];
    int off = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, off, part.length);
      off += part.length;
    }
    return out;
  }
}
