package io.e4j.cli.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Optional;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** Which server certificates a connection accepts. */
public sealed interface ServerTrust {

  /** The trust manager to use; empty: the JVM's default CAs. */
  Optional<X509TrustManager> trustManager();

  /** Exactly the certificate with this fingerprint. */
  record Pinned(Fingerprint fingerprint) implements ServerTrust {
    @Override
    public Optional<X509TrustManager> trustManager() {
      return Optional.of(new PinnedTrustManager(fingerprint));
    }
  }

  /** Certificates issued by one of the certificates in a PEM file (host names checked). */
  record CaFile(Path file) implements ServerTrust {
    @Override
    public Optional<X509TrustManager> trustManager() {
      try (InputStream pem = Files.newInputStream(file)) {
        Collection<? extends Certificate> certificates =
            CertificateFactory.getInstance("X.509").generateCertificates(pem);
        if (certificates.isEmpty()) {
          throw new CommandFailure(ExitCodes.FAILED, file + " holds no certificate");
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int index = 0;
        for (Certificate certificate : certificates) {
          store.setCertificateEntry("ca-" + index++, certificate);
        }
        TrustManagerFactory factory =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
          if (manager instanceof X509TrustManager x509) {
            return Optional.of(x509);
          }
        }
        throw new IllegalStateException("the JDK offers no X.509 trust manager");
      } catch (IOException | GeneralSecurityException e) {
        throw new CommandFailure(
            ExitCodes.FAILED, "cannot read the CA certificates in " + file + ": " + e.getMessage());
      }
    }
  }

  /** The CAs the JVM trusts: for a server with a publicly trusted certificate. */
  record SystemCertificates() implements ServerTrust {
    @Override
    public Optional<X509TrustManager> trustManager() {
      return Optional.empty();
    }
  }
}
