package io.e4j.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.net.ConnectException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class FailureTest {
  @Test
  void statusCodes_mapToTheDocumentedExitCodes() {
    assertThat(ExitCodes.of(Status.Code.OK)).isZero();
    assertThat(ExitCodes.of(Status.Code.NOT_FOUND)).isEqualTo(3);
    assertThat(ExitCodes.of(Status.Code.ALREADY_EXISTS)).isEqualTo(4);
    assertThat(ExitCodes.of(Status.Code.UNAUTHENTICATED)).isEqualTo(5);
    assertThat(ExitCodes.of(Status.Code.PERMISSION_DENIED)).isEqualTo(5);
    assertThat(ExitCodes.of(Status.Code.UNAVAILABLE)).isEqualTo(6);
    assertThat(ExitCodes.of(Status.Code.DEADLINE_EXCEEDED)).isEqualTo(6);
    for (Status.Code code :
        new Status.Code[] {
          Status.Code.INVALID_ARGUMENT,
          Status.Code.FAILED_PRECONDITION,
          Status.Code.INTERNAL,
          Status.Code.UNKNOWN,
          Status.Code.RESOURCE_EXHAUSTED
        }) {
      assertThat(ExitCodes.of(code)).as(code.name()).isEqualTo(1);
    }
    assertThat(ExitCodes.HELP).anyMatch(line -> line.startsWith("  6  server unreachable"));
  }

  @Test
  void theServersDescription_isTheMessage() {
    Failure failure =
        Failure.of(Status.NOT_FOUND.withDescription("no device meter-9").asRuntimeException());
    assertThat(failure).isEqualTo(new Failure(3, "no device meter-9"));
  }

  @Test
  void withoutDescription_theInnermostCauseSpeaks() {
    Failure refused =
        Failure.of(
            Status.UNAVAILABLE
                .withCause(
                    new RuntimeException(
                        "wrapper", new ConnectException("Connection refused: /127.0.0.1:1")))
                .asRuntimeException());
    assertThat(refused)
        .isEqualTo(new Failure(6, "cannot reach the server: Connection refused: /127.0.0.1:1"));
    assertThat(Failure.of(Status.INTERNAL.asRuntimeException()))
        .isEqualTo(new Failure(1, "internal"));
  }

  @Test
  void aPinMismatchAnywhereInTheCauses_isExitSixWithItsOwnSentence() {
    PinMismatchException mismatch =
        new PinMismatchException(
            new Fingerprint("aa".repeat(32)), new Fingerprint("bb".repeat(32)));
    SSLHandshakeException handshake = new SSLHandshakeException("handshake failed");
    handshake.initCause(mismatch);
    Status status = Status.UNKNOWN.withCause(new RuntimeException(handshake));
    assertThat(Failure.of(status.asRuntimeException()))
        .isEqualTo(new Failure(6, mismatch.getMessage()));
    assertThat(Failure.isCertificateProblem(status)).isTrue();
    assertThat(Failure.isCertificateProblem(Status.UNAVAILABLE)).isFalse();
  }

  @Test
  void commandFailures_keepTheirCode_otherExceptionsAreOne() {
    assertThat(Failure.of(new CommandFailure(5, "no token"))).isEqualTo(new Failure(5, "no token"));
    assertThat(Failure.of(new IllegalStateException("broken"))).isEqualTo(new Failure(1, "broken"));
  }
}
