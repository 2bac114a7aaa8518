package io.e4j.cli.internal;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * What an exception means to the operator: one sentence and an exit status (see {@link ExitCodes}).
 */
public record Failure(int exitCode, String message) {

  /** Explains any exception an operator command may end with. */
  public static Failure of(Throwable exception) {
    if (exception instanceof CommandFailure failure) {
      return new Failure(failure.exitCode(), failure.getMessage());
    }
    Status status = statusOf(exception);
    if (status != null) {
      return ofStatus(status);
    }
    return new Failure(ExitCodes.FAILED, String.valueOf(exception.getMessage()));
  }

  private static Status statusOf(Throwable exception) {
    if (exception instanceof StatusRuntimeException e) {
      return e.getStatus();
    }
    if (exception instanceof StatusException e) {
      return e.getStatus();
    }
    return null;
  }

  /** Explains a call's status: the server's own description, or what stopped the call. */
  public static Failure ofStatus(Status status) {
    PinMismatchException mismatch = find(status.getCause(), PinMismatchException.class);
    if (mismatch != null) {
      return new Failure(ExitCodes.UNREACHABLE, mismatch.getMessage());
    }
    SSLException tls = find(status.getCause(), SSLException.class);
    if (tls != null) {
      return new Failure(
          ExitCodes.UNREACHABLE, "the TLS handshake with the server failed: " + tls.getMessage());
    }
    int exitCode = ExitCodes.of(status.getCode());
    String description = status.getDescription();
    if (exitCode == ExitCodes.UNREACHABLE) {
      return new Failure(
          exitCode,
          "cannot reach the server: " + (description != null ? description : cause(status)));
    }
    if (description != null && !description.isBlank()) {
      return new Failure(exitCode, description);
    }
    return new Failure(
        exitCode,
        status.getCode().name().toLowerCase(Locale.ROOT).replace('_', ' ') + suffix(status));
  }

  /** Whether the call failed on the server's certificate, which trying again will not change. */
  public static boolean isCertificateProblem(Status status) {
    return find(status.getCause(), SSLException.class) != null
        || find(status.getCause(), java.security.cert.CertificateException.class) != null;
  }

  private static String suffix(Status status) {
    return status.getCause() == null ? "" : ": " + cause(status);
  }

  /** The innermost cause's message: the one that names what went wrong (refused, timed out). */
  private static String cause(Status status) {
    Throwable innermost = status.getCause();
    if (innermost == null) {
      return status.getCode().name().toLowerCase(Locale.ROOT);
    }
    while (innermost.getCause() != null && innermost.getCause() != innermost) {
      innermost = innermost.getCause();
    }
    String message = innermost.getMessage();
    return message != null ? message : innermost.getClass().getSimpleName();
  }

  private static <T extends Throwable> T find(Throwable exception, Class<T> type) {
    for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return type.cast(cause);
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return null;
  }
}
