package io.e4j.server.internal.broker;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.internal.broker.EmbeddedBroker.TlsListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.HexFormat;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * The files HiveMQ reads at start, written anew each time under the broker's directory: {@code
 * conf/config.xml} (listeners, file persistence, no usage statistics) and, with a TLS listener,
 * {@code conf/listener.p12}, the certificate and key in a keystore locked with a password drawn for
 * this start. {@code data/} holds HiveMQ's sessions, subscriptions and queued messages; {@code
 * extensions/} stays empty.
 */
final class BrokerFiles {
  /**
   * QoS 1 and 2 publishes a client may have unacknowledged at once (MQTT 5 receive maximum);
   * HiveMQ's default of 10 would cap C2's command rate.
   */
  static final int RECEIVE_MAXIMUM = 1_000;

  final Path configuration;
  final Path data;
  final Path extensions;

  private BrokerFiles(Path directory) {
    this.configuration = directory.resolve("conf");
    this.data = directory.resolve("data");
    // Empty: C2's extension is given to HiveMQ in process.
    this.extensions = directory.resolve("extensions");
  }

  /**
   * Creates the directories (owner-only) and writes the configuration.
   *
   * @param tls {@code null}: no TLS listener
   */
  static BrokerFiles write(
      Path directory, String host, int port, TlsListener tls, SecureRandom random) {
    String where = directory.toAbsolutePath().toString();
    if (where.contains("${") || host.contains("${")) {
      // HiveMQ replaces ${...} in its configuration file with environment variables, and exits
      // the process when one is not set.
      throw new C2Exception(
          Reason.CONFIGURATION,
          "the embedded broker's host and directory must not contain '${': " + host + ", " + where);
    }
    BrokerFiles files = new BrokerFiles(directory.toAbsolutePath());
    try {
      createPrivate(directory);
      createPrivate(files.configuration);
      createPrivate(files.data);
      createPrivate(files.extensions);
      String listeners = listener("tcp-listener", "mqtt", host, port, "");
      if (tls != null) {
        Path keystore = files.configuration.resolve("listener.p12");
        String password = HexFormat.of().formatHex(bytes(random, 24));
        writeKeystore(tls, keystore, password);
        listeners +=
            listener(
                "tls-tcp-listener",
                "mqtts",
                host,
                tls.port(),
                "<tls><keystore><path>"
                    + xml(keystore.toString())
                    + "</path><password>"
                    + password
                    + "</password><private-key-password>"
                    + password
                    + "</private-key-password></keystore></tls>");
      }
      String config =
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              + "<!-- Written by C2 at each start: changes here are lost. -->\n"
              + "<hivemq>\n"
              + "  <listeners>\n"
              + listeners
              + "  </listeners>\n"
              + "  <mqtt><receive-maximum><server-receive-maximum>"
              + RECEIVE_MAXIMUM
              + "</server-receive-maximum></receive-maximum></mqtt>\n"
              + "  <persistence><mode>file</mode></persistence>\n"
              + "  <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>\n"
              + "</hivemq>\n";
      writePrivate(files.configuration.resolve("config.xml"), config.getBytes(UTF_8));
      return files;
    } catch (IOException e) {
      throw new C2Exception(
          Reason.CONFIGURATION,
          "cannot write the embedded broker's files in " + where + ": " + e,
          e);
    }
  }

  private static String listener(String element, String name, String host, int port, String more) {
    return "    <"
        + element
        + "><name>"
        + name
        + "</name><bind-address>"
        + xml(host)
        + "</bind-address><port>"
        + port
        + "</port>"
        + more
        + "</"
        + element
        + ">\n";
  }

  /** The PEM chain and key, in a PKCS#12 keystore (HiveMQ's "JKS" keystores read PKCS#12 too). */
  private static void writeKeystore(TlsListener tls, Path keystore, String password)
      throws IOException {
    try {
      Certificate[] chain;
      try (InputStream in = Files.newInputStream(tls.certificate())) {
        chain =
            CertificateFactory.getInstance("X.509")
                .generateCertificates(in)
                .toArray(Certificate[]::new);
      }
      if (chain.length == 0) {
        throw new C2Exception(
            Reason.CONFIGURATION, "broker.certificate: no certificate in " + tls.certificate());
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("broker", privateKey(tls.privateKey()), password.toCharArray(), chain);
      Path written = keystore.resolveSibling(keystore.getFileName() + ".new");
      Files.deleteIfExists(written);
      Files.createFile(
          written,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try (OutputStream out = Files.newOutputStream(written)) {
        store.store(out, password.toCharArray());
      }
      Files.move(written, keystore, StandardCopyOption.REPLACE_EXISTING);
    } catch (GeneralSecurityException e) {
      throw new C2Exception(
          Reason.CONFIGURATION,
          "broker.certificate and broker.privateKey: cannot use "
              + tls.certificate()
              + " and "
              + tls.privateKey()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private static PrivateKey privateKey(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file, UTF_8);
        PEMParser parser = new PEMParser(reader)) {
      Object read = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (read instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (read instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      throw new C2Exception(
          Reason.CONFIGURATION,
          "broker.privateKey: "
              + file
              + " holds no unencrypted PEM private key (PKCS#8, PKCS#1 or SEC 1)");
    }
  }

  private static void createPrivate(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      Files.createDirectories(
          directory,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
  }

  private static void writePrivate(Path file, byte[] content) throws IOException {
    Path written = file.resolveSibling(file.getFileName() + ".new");
    Files.deleteIfExists(written);
    Files.createFile(
        written,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(written, content);
    Files.move(written, file, StandardCopyOption.REPLACE_EXISTING);
  }

  private static byte[] bytes(SecureRandom random, int size) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return bytes;
  }

  private static String xml(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
