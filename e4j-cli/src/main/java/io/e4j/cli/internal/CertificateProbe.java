package io.e4j.cli.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Fetches a server's certificate for trust on first use: the handshake accepts whatever the server
 * shows, then the connection is closed without sending anything, and the operator is shown the
 * fingerprint to compare with the server's.
 */
public final class CertificateProbe {
  private CertificateProbe() {}

  public static X509Certificate serverCertificate(URI endpoint, Duration timeout) {
    String host = endpoint.getHost();
    int port = endpoint.getPort() == -1 ? 443 : endpoint.getPort();
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new AcceptingTrustManager()}, new SecureRandom());
      try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
        socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
        socket.setSoTimeout((int) timeout.toMillis());
        socket.startHandshake();
        Certificate[] chain = socket.getSession().getPeerCertificates();
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
          throw new CommandFailure(
              ExitCodes.UNREACHABLE, endpoint + " presented no X.509 certificate");
        }
        return leaf;
      }
    } catch (IOException e) {
      throw new CommandFailure(
          ExitCodes.UNREACHABLE,
          "cannot fetch the TLS certificate of " + endpoint + ": " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot make a TLS context", e);
    }
  }

  /** Only for reading the certificate: no data ever travels over this connection. */
  private static final class AcceptingTrustManager implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
