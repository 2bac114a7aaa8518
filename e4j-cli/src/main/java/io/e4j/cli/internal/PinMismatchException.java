package io.e4j.cli.internal;

import java.security.cert.CertificateException;

/** The server showed another certificate than the pinned one. */
public final class PinMismatchException extends CertificateException {
  private static final long serialVersionUID = 1L;

  PinMismatchException(Fingerprint pinned, Fingerprint presented) {
    super(
        "the server's TLS certificate is not the pinned one (pinned SHA-256 "
            + pinned
            + ", presented "
            + presented
            + "); if the server's certificate was replaced on purpose, check the new fingerprint"
            + " and run e4 login again with --fingerprint");
  }
}
