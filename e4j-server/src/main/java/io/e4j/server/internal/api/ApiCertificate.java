package io.e4j.server.internal.api;

import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObjectGenerator;

/**
 * The API's TLS certificate and key files: the configured ones, or a self-signed certificate
 * generated on first start (ECDSA P-256, for the API's host, 127.0.0.1 and localhost), which
 * clients pin.
 */
public record ApiCertificate(Path certificate, Path privateKey) {
  public static final String GENERATED_CERTIFICATE = "api-cert.pem";
  public static final String GENERATED_KEY = "api-key.pem";
  private static final Duration VALIDITY = Duration.ofDays(3650);

  /** The files in {@code directory}, generated now for {@code host} if they do not exist. */
  public static ApiCertificate selfSigned(
      Path directory, String host, Clock clock, SecureRandom random) {
    Path certificate = directory.resolve(GENERATED_CERTIFICATE);
    Path key = directory.resolve(GENERATED_KEY);
    if (Files.exists(certificate) && Files.exists(key)) {
      return new ApiCertificate(certificate, key);
    }
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      KeyPair pair = generator.generateKeyPair();
      Instant now = clock.instant();
      X500Name subject = new X500Name("CN=e4j C2 API");
      var builder =
          new JcaX509v3CertificateBuilder(
              subject,
              new BigInteger(64, random).abs().add(BigInteger.ONE),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(VALIDITY)),
              subject,
              pair.getPublic());
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names(host)));
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      X509Certificate signed =
          new JcaX509CertificateConverter()
              .getCertificate(
                  builder.build(
                      new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
      Files.deleteIfExists(certificate);
      Files.deleteIfExists(key);
      Files.createFile(
          key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(
          key, pem(new JcaPKCS8Generator(pair.getPrivate(), null)), StandardCharsets.US_ASCII);
      Files.writeString(certificate, pem(signed), StandardCharsets.US_ASCII);
      return new ApiCertificate(certificate, key);
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new C2Exception(
          Reason.CONFIGURATION,
          "cannot generate the API's certificate in " + directory + ": " + e,
          e);
    }
  }

  /**
   * SHA-256 of the certificate (the first of the chain), as clients pin it: hex pairs with colons.
   */
  public String fingerprint() {
    try (InputStream in = Files.newInputStream(certificate)) {
      X509Certificate first =
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(first.getEncoded());
      return HexFormat.ofDelimiter(":").formatHex(digest);
    } catch (IOException | GeneralSecurityException e) {
      throw new C2Exception(
          Reason.CONFIGURATION, "cannot read the API's certificate " + certificate + ": " + e, e);
    }
  }

  private static GeneralName[] names(String host) {
    Set<String> hosts = new LinkedHashSet<>(List.of("127.0.0.1", "localhost"));
    if (!host.isEmpty() && !host.equals("0.0.0.0") && !host.equals("::")) {
      hosts.add(host);
    }
    List<GeneralName> names = new ArrayList<>();
    for (String name : hosts) {
      names.add(
          isAddress(name)
              ? new GeneralName(GeneralName.iPAddress, name)
              : new GeneralName(GeneralName.dNSName, name));
    }
    return names.toArray(GeneralName[]::new);
  }

  private static boolean isAddress(String host) {
    if (!host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
      return false;
    }
    try {
      InetAddress.getByName(host);
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static String pem(X509Certificate certificate) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(certificate);
    }
    return out.toString();
  }

  private static String pem(PemObjectGenerator generator) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(generator);
    }
    return out.toString();
  }
}
