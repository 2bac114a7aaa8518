package io.e4j.cli.internal;

import io.e4j.mqtt.BrokerRefusedException;
import io.e4j.mqtt.BrokerUnreachableException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Why a device could not connect to its broker, for the operator: the broker's reason in words, an
 * exit status (see {@link ExitCodes}), and the option that would help when there is one.
 */
public final class BrokerFailure {
  private BrokerFailure() {}

  /**
   * @param chosenVersion the {@code --mqtt-version} given, or null when e4 chose
   */
  public static CommandFailure of(Throwable failure, Integer chosenVersion) {
    return of(failure, chosenVersion, false);
  }

  /**
   * @param chosenVersion the {@code --mqtt-version} given, or null when e4 chose
   * @param deviceLogin whether the device logged in with its own ID and key ({@code
   *     --device-login}) rather than {@code --broker-user}
   */
  public static CommandFailure of(Throwable failure, Integer chosenVersion, boolean deviceLogin) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof BrokerRefusedException refused) {
      return new CommandFailure(
          exitCode(refused), refused.getMessage() + hint(refused, chosenVersion, deviceLogin));
    }
    if (cause instanceof BrokerUnreachableException unreachable) {
      return new CommandFailure(ExitCodes.UNREACHABLE, unreachable.getMessage());
    }
    return new CommandFailure(
        ExitCodes.FAILED,
        "cannot connect to the broker: "
            + (cause.getMessage() != null ? cause.getMessage() : cause.toString()));
  }

  private static int exitCode(BrokerRefusedException refused) {
    return switch (refused.reason()) {
      case CREDENTIALS, NOT_AUTHORIZED -> ExitCodes.NOT_ALLOWED;
      case TLS -> ExitCodes.UNREACHABLE;
      default -> ExitCodes.FAILED;
    };
  }

  private static String hint(
      BrokerRefusedException refused, Integer chosenVersion, boolean deviceLogin) {
    return switch (refused.reason()) {
      case PROTOCOL_VERSION ->
          chosenVersion == null
              ? ""
              : chosenVersion == 5
                  ? "; use --mqtt-version 3 (MQTT 3.1.1), or leave the option out to let e4 choose"
                  : "; use --mqtt-version 5, or leave the option out to let e4 choose";
      case CREDENTIALS, NOT_AUTHORIZED ->
          deviceLogin
              ? "; --device-login needs a broker that checks e4j devices (e4 server with"
                  + " broker.access = devices) and C2 to know this device with this key"
              : "; check --broker-user and --broker-password-file";
      case TLS -> "; --broker-ca-file names the CA to trust";
      default -> "";
    };
  }
}
