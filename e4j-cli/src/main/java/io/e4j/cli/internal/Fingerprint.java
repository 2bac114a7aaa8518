package io.e4j.cli.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The SHA-256 of a certificate's DER encoding, which identifies exactly one certificate: the pin of
 * a server whose certificate no CA vouches for (C2's self-signed default).
 *
 * @param hex 64 lower-case hex digits
 */
public record Fingerprint(String hex) {
  private static final HexFormat COLONS = HexFormat.ofDelimiter(":");

  public Fingerprint {
    if (hex == null || !hex.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("a SHA-256 fingerprint is 64 lower-case hex digits");
    }
  }

  public static Fingerprint of(X509Certificate certificate) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return new Fingerprint(HexFormat.of().formatHex(digest));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException(
          "cannot fingerprint " + certificate.getSubjectX500Principal(), e);
    }
  }

  /** Reads a fingerprint as people copy it: with or without colons or spaces, any case. */
  public static Fingerprint parse(String text) {
    String hex = text.replaceAll("[:\\s]", "").toLowerCase(Locale.ROOT);
    if (!hex.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a SHA-256 fingerprint (64 hex digits, colons allowed)");
    }
    return new Fingerprint(hex);
  }

  /** As browsers and openssl show it: {@code ab:cd:...}. */
  @Override
  public String toString() {
    return COLONS.formatHex(HexFormat.of().parseHex(hex));
  }
}
