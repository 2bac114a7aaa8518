package io.e4j.cli.internal;

import io.e4j.core.E4Exception;
import io.e4j.core.E4Exception.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Set;

/**
 * Key files as the reference's e4keygen writes them: the raw key bytes, private halves readable by
 * their owner only, public halves in {@code NAME.pub}.
 */
public final class KeyFiles {
  private KeyFiles() {}

  /** Reads a key file of exactly {@code size} bytes. */
  public static byte[] read(Path file, int size, String what) {
    byte[] key;
    try {
      key = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new E4Exception(Reason.INVALID_KEY, "cannot read " + what + " file " + file + ": " + e);
    }
    if (key.length != size) {
      throw new E4Exception(
          Reason.INVALID_KEY,
          what + " file " + file + " holds " + key.length + " bytes; expected " + size);
    }
    return key;
  }

  /** A password file's text, without its trailing line break. */
  public static String readPassword(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      return text.endsWith("\r\n")
          ? text.substring(0, text.length() - 2)
          : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    } catch (IOException e) {
      throw new E4Exception(Reason.INVALID_KEY, "cannot read password file " + file + ": " + e);
    }
  }

  /** The X.509 certificates of a PEM (or DER) file, as a trust store. */
  public static KeyStore readCertificates(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int index = 0;
      for (Certificate certificate :
          CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca-" + index++, certificate);
      }
      if (index == 0) {
        throw new E4Exception(Reason.INVALID_ARGUMENT, file + " holds no certificate");
      }
      return trust;
    } catch (IOException | GeneralSecurityException e) {
      throw new E4Exception(
          Reason.INVALID_ARGUMENT, "cannot read certificates from " + file + ": " + e.getMessage());
    }
  }

  /** Writes {@code key}, owner-only, refusing to replace an existing file unless {@code force}. */
  public static void writePrivate(Path file, byte[] key, boolean force) {
    write(file, key, force, "rw-------");
  }

  public static void writePublic(Path file, byte[] key, boolean force) {
    write(file, key, force, "rw-r--r--");
  }

  private static void write(Path file, byte[] key, boolean force, String permissions) {
    try {
      if (force) {
        Files.deleteIfExists(file);
      }
      // Created with its permissions, so a private key is never readable by others, even briefly.
      try (SeekableByteChannel channel =
          Files.newByteChannel(
              file,
              Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              attributes(permissions))) {
        ByteBuffer buffer = ByteBuffer.wrap(key);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
      }
    } catch (FileAlreadyExistsException e) {
      throw new E4Exception(
          Reason.INVALID_ARGUMENT, file + " already exists; use --force to replace it");
    } catch (IOException e) {
      throw new E4Exception(Reason.STORAGE, "cannot write " + file + ": " + e.getMessage());
    }
  }

  private static FileAttribute<?>[] attributes(String permissions) {
    if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[0];
    }
    return new FileAttribute<?>[] {
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions))
    };
  }
}
