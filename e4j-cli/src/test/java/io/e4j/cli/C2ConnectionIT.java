package io.e4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.Server;
import io.e4j.api.v1.WhoAmIRequest;
import io.e4j.cli.internal.C2Connection;
import io.e4j.cli.internal.CertificateProbe;
import io.e4j.cli.internal.Failure;
import io.e4j.cli.internal.Fingerprint;
import io.e4j.cli.internal.ServerTrust;
import io.e4j.cli.internal.Target;
import io.e4j.cli.internal.TokenSource;
import io.e4j.mqtt.TestCertificates;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's TLS checks against a real HTTPS server (Armeria, with a test CA's certificate for
 * 127.0.0.1), which answers every request with 404: a call that gets past TLS fails as
 * unimplemented, one stopped by TLS never reaches it.
 */
class C2ConnectionIT {
  @TempDir Path directory;

  private TestCertificates certificates;
  private Server server;
  private URI endpoint;
  private Path tokenFile;

  @BeforeEach
  void start() throws Exception {
    certificates = TestCertificates.create(directory);
    server =
        Server.builder()
            .https(0)
            .tls(certificates.serverCertificate().toFile(), certificates.serverKey().toFile())
            .service("prefix:/", (context, request) -> HttpResponse.of(HttpStatus.NOT_FOUND))
            .build();
    server.start().join();
    endpoint = URI.create("https://127.0.0.1:" + server.activeLocalPort(SessionProtocol.HTTPS));
    tokenFile = directory.resolve("token");
    Files.writeString(tokenFile, "not-a-real-token\n");
  }

  @AfterEach
  void stop() {
    server.stop().join();
  }

  private Failure whoAmI(ServerTrust trust) {
    try (C2Connection c2 =
        C2Connection.open(
            new Target("test", endpoint, trust, new TokenSource.TokenFile(tokenFile)))) {
      assertThatThrownBy(() -> c2.c2().whoAmI(WhoAmIRequest.getDefaultInstance()))
          .isInstanceOf(StatusRuntimeException.class);
      try {
        c2.c2().whoAmI(WhoAmIRequest.getDefaultInstance());
        throw new AssertionError("the server answers 404 to everything");
      } catch (StatusRuntimeException e) {
        return Failure.of(e);
      }
    }
  }

  private X509Certificate serverCertificate() throws Exception {
    try (InputStream pem = Files.newInputStream(certificates.serverCertificate())) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(pem);
    }
  }

  @Test
  void probe_fetchesTheCertificateTheServerShows() throws Exception {
    X509Certificate shown = CertificateProbe.serverCertificate(endpoint, Duration.ofSeconds(10));
    assertThat(Fingerprint.of(shown)).isEqualTo(Fingerprint.of(serverCertificate()));
  }

  @Test
  void thePinnedCertificate_getsThrough() throws Exception {
    Failure failure = whoAmI(new ServerTrust.Pinned(Fingerprint.of(serverCertificate())));
    assertThat(failure.exitCode()).as(failure.message()).isEqualTo(1);
    assertThat(failure.message()).doesNotContainIgnoringCase("tls").doesNotContain("pinned");
  }

  @Test
  void aPin_ignoresHostNames_asASelfSignedCertificateForAnotherHostNeeds() {
    Server selfSigned =
        Server.builder()
            .https(0)
            .tlsSelfSigned()
            .service("prefix:/", (context, request) -> HttpResponse.of(HttpStatus.NOT_FOUND))
            .build();
    selfSigned.start().join();
    try {
      endpoint =
          URI.create("https://127.0.0.1:" + selfSigned.activeLocalPort(SessionProtocol.HTTPS));
      X509Certificate shown = CertificateProbe.serverCertificate(endpoint, Duration.ofSeconds(10));
      assertThat(shown.getSubjectX500Principal().getName()).doesNotContain("127.0.0.1");
      Failure failure = whoAmI(new ServerTrust.Pinned(Fingerprint.of(shown)));
      assertThat(failure.exitCode()).as(failure.message()).isEqualTo(1);
    } finally {
      selfSigned.stop().join();
    }
  }

  @Test
  void anotherCertificate_isRefusedWithBothFingerprints_exitSix() throws Exception {
    Fingerprint other = new Fingerprint("00".repeat(32));
    Failure failure = whoAmI(new ServerTrust.Pinned(other));
    assertThat(failure.exitCode()).isEqualTo(6);
    assertThat(failure.message())
        .contains("not the pinned one")
        .contains("pinned SHA-256 " + other)
        .contains("presented " + Fingerprint.of(serverCertificate()));
  }

  @Test
  void theIssuingCa_getsThrough_theJvmsCasDoNot() {
    Failure trusted = whoAmI(new ServerTrust.CaFile(certificates.caCertificate()));
    assertThat(trusted.exitCode()).as(trusted.message()).isEqualTo(1);
    Failure untrusted = whoAmI(new ServerTrust.SystemCertificates());
    assertThat(untrusted.exitCode()).as(untrusted.message()).isEqualTo(6);
  }

  @Test
  void nothingListening_isExitSix() throws Exception {
    URI closed = endpoint;
    server.stop().join();
    try (C2Connection c2 =
        C2Connection.open(
            new Target(
                "test",
                closed,
                new ServerTrust.Pinned(Fingerprint.of(serverCertificate())),
                new TokenSource.TokenFile(tokenFile)))) {
      Failure failure;
      try {
        c2.c2().whoAmI(WhoAmIRequest.getDefaultInstance());
        throw new AssertionError("nothing listens");
      } catch (StatusRuntimeException e) {
        failure = Failure.of(e);
      }
      assertThat(failure.exitCode()).isEqualTo(6);
      assertThat(failure.message())
          .startsWith("cannot reach the server")
          .containsIgnoringCase("refused");
    }
  }
}
