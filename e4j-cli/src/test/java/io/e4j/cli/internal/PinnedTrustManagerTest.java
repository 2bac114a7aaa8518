package io.e4j.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.e4j.mqtt.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PinnedTrustManagerTest {
  @TempDir Path directory;

  private X509Certificate server;
  private X509Certificate ca;

  @BeforeEach
  void certificates() throws IOException, GeneralSecurityException {
    TestCertificates certificates = TestCertificates.create(directory);
    server = read(certificates.serverCertificate());
    ca = read(certificates.caCertificate());
  }

  private static X509Certificate read(Path pem) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  @Test
  void fingerprint_isTheSha256OfTheDerEncoding_shownWithColons() throws Exception {
    String expected =
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(server.getEncoded()));
    Fingerprint fingerprint = Fingerprint.of(server);
    assertThat(fingerprint.hex()).isEqualTo(expected);
    assertThat(fingerprint.toString()).hasSize(95).matches("([0-9a-f]{2}:){31}[0-9a-f]{2}");
    assertThat(Fingerprint.parse(fingerprint.toString().toUpperCase())).isEqualTo(fingerprint);
    assertThat(Fingerprint.parse(" " + expected + "\n")).isEqualTo(fingerprint);
    assertThatThrownBy(() -> Fingerprint.parse(expected.substring(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a SHA-256 fingerprint");
  }

  @Test
  void acceptsThePinnedLeafOnly_whateverItsIssuer() throws CertificateException {
    PinnedTrustManager pinned = new PinnedTrustManager(Fingerprint.of(server));
    pinned.checkServerTrusted(new X509Certificate[] {server, ca}, "ECDHE_ECDSA");
    pinned.checkServerTrusted(new X509Certificate[] {server}, "ECDHE_ECDSA");
    assertThatThrownBy(
            () -> pinned.checkServerTrusted(new X509Certificate[] {ca, server}, "ECDHE_ECDSA"))
        .isInstanceOf(PinMismatchException.class)
        .hasMessageContaining("pinned SHA-256 " + Fingerprint.of(server))
        .hasMessageContaining("presented " + Fingerprint.of(ca))
        .hasMessageContaining("e4 login again with --fingerprint");
    assertThatThrownBy(() -> pinned.checkServerTrusted(new X509Certificate[0], "ECDHE_ECDSA"))
        .hasMessageContaining("no certificate");
    assertThatThrownBy(
            () -> pinned.checkClientTrusted(new X509Certificate[] {server}, "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class);
  }

  @Test
  void caFile_trustsWhatItsCaSigned() throws Exception {
    TestCertificates certificates =
        TestCertificates.create(Files.createDirectories(directory.resolve("other-ca")));
    javax.net.ssl.X509TrustManager trust =
        new ServerTrust.CaFile(certificates.caCertificate()).trustManager().orElseThrow();
    X509Certificate signed = read(certificates.serverCertificate());
    trust.checkServerTrusted(new X509Certificate[] {signed}, "ECDHE_ECDSA");
    assertThatThrownBy(
            () -> trust.checkServerTrusted(new X509Certificate[] {server}, "ECDHE_ECDSA"))
        .as("a certificate from another CA")
        .isInstanceOf(CertificateException.class);
    assertThatThrownBy(() -> new ServerTrust.CaFile(directory.resolve("none.pem")).trustManager())
        .isInstanceOf(CommandFailure.class)
        .hasMessageContaining("cannot read the CA certificates");
  }
}
