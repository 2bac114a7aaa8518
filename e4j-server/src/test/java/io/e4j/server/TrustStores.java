package io.e4j.server;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Collections;

/** Trust store files for C2's broker settings. */
final class TrustStores {
  private TrustStores() {}

  /**
   * Writes the certificates of {@code trusted} to a password-protected trust store file, PKCS#12
   * or, for a {@code .jks} name, JKS: what an operator points {@code broker.trustStore} at.
   */
  static Path writeTrustStore(KeyStore trusted, Path file, String password)
      throws IOException, GeneralSecurityException {
    KeyStore store =
        KeyStore.getInstance(file.getFileName().toString().endsWith(".jks") ? "JKS" : "PKCS12");
    store.load(null, null);
    for (String alias : Collections.list(trusted.aliases())) {
      Certificate certificate = trusted.getCertificate(alias);
      store.setCertificateEntry(alias, certificate);
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, password.toCharArray());
    }
    return file;
  }
}
