package io.e4j.mqtt;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away CA and a server certificate for 127.0.0.1, written as PEM for Mosquitto. */
public record TestCertificates(
    Path caCertificate, Path serverCertificate, Path serverKey, KeyStore trustStore) {
  public static TestCertificates create(Path directory)
      throws IOException, GeneralSecurityException {
    try {
      KeyPair caKeys = ecKeys();
      X500Name caName = new X500Name("CN=e4j test CA");
      X509Certificate ca =
          sign(
              new JcaX509v3CertificateBuilder(
                      caName, BigInteger.ONE, notBefore(), notAfter(), caName, caKeys.getPublic())
                  .addExtension(Extension.basicConstraints, true, new BasicConstraints(true)),
              caKeys);
      KeyPair serverKeys = ecKeys();
      X509Certificate server =
          sign(
              new JcaX509v3CertificateBuilder(
                      caName,
                      BigInteger.TWO,
                      notBefore(),
                      notAfter(),
                      new X500Name("CN=localhost"),
                      serverKeys.getPublic())
                  .addExtension(
                      Extension.subjectAlternativeName,
                      false,
                      new GeneralNames(
                          new GeneralName[] {
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                            new GeneralName(GeneralName.dNSName, "localhost")
                          })),
              caKeys);
      Path caFile = pem(directory.resolve("ca.pem"), ca);
      Path serverFile = pem(directory.resolve("server.pem"), server);
      Path keyFile =
          pem(
              directory.resolve("server.key"),
              new JcaPKCS8Generator(serverKeys.getPrivate(), null));
      KeyStore trustStore = KeyStore.getInstance("PKCS12");
      trustStore.load(null, null);
      trustStore.setCertificateEntry("e4j-test-ca", ca);
      return new TestCertificates(caFile, serverFile, keyFile, trustStore);
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static KeyPair ecKeys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
      throws OperatorCreationException, GeneralSecurityException {
    ContentSigner signer =
        new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
  }

  private static Date notBefore() {
    return Date.from(Instant.now().minus(Duration.ofHours(1)));
  }

  private static Date notAfter() {
    return Date.from(Instant.now().plus(Duration.ofDays(1)));
  }

  private static Path pem(Path file, Object object) throws IOException {
    try (Writer out = Files.newBufferedWriter(file);
        JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(object);
    }
    return file;
  }
}
