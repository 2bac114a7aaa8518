package io.e4j.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.e4j.mqtt.BrokerRefusedException;
import io.e4j.mqtt.BrokerRefusedException.Reason;
import io.e4j.mqtt.BrokerUnreachableException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** What the device shell says, and exits with, when its broker does not let it in. */
class BrokerFailureTest {
  private static BrokerRefusedException refused(Reason reason, String words) {
    return new BrokerRefusedException(
        reason, "the broker at mqtt://127.0.0.1:1883 refused the connection: " + words, null);
  }

  @Test
  void refusedCredentials_exitNotAllowed_namingTheOptions() {
    CommandFailure failure =
        BrokerFailure.of(
            new ExecutionException(refused(Reason.NOT_AUTHORIZED, "not authorized (CONNACK 0x87)")),
            null);

    assertThat(failure.exitCode()).isEqualTo(ExitCodes.NOT_ALLOWED);
    assertThat(failure)
        .hasMessage(
            "the broker at mqtt://127.0.0.1:1883 refused the connection: not authorized (CONNACK"
                + " 0x87); check --broker-user and --broker-password-file");
  }

  @Test
  void refusedVersion_namesTheOtherVersion_onlyWhenOneWasChosen() {
    BrokerRefusedException version = refused(Reason.PROTOCOL_VERSION, "it does not speak MQTT 5");

    assertThat(BrokerFailure.of(version, 5))
        .hasMessageEndingWith(
            "; use --mqtt-version 3 (MQTT 3.1.1), or leave the option out to let e4 choose")
        .returns(ExitCodes.FAILED, CommandFailure::exitCode);
    assertThat(BrokerFailure.of(version, 3))
        .hasMessageEndingWith("; use --mqtt-version 5, or leave the option out to let e4 choose");
    assertThat(BrokerFailure.of(version, null)).hasMessageEndingWith("it does not speak MQTT 5");
  }

  @Test
  void tlsRefusal_andUnreachableBroker_exitUnreachable() {
    assertThat(BrokerFailure.of(refused(Reason.TLS, "certificate not trusted"), null))
        .returns(ExitCodes.UNREACHABLE, CommandFailure::exitCode)
        .hasMessageEndingWith("; --broker-ca-file names the CA to trust");
    assertThat(
            BrokerFailure.of(
                new BrokerUnreachableException(
                    "cannot connect to the broker at mqtt://127.0.0.1:1: connection refused", null),
                null))
        .returns(ExitCodes.UNREACHABLE, CommandFailure::exitCode)
        .hasMessage("cannot connect to the broker at mqtt://127.0.0.1:1: connection refused");
  }
}
