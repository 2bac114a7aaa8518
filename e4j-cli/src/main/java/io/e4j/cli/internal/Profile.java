package io.e4j.cli.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.net.URI;
import java.nio.file.Path;

/**
 * How to reach one C2 and who to be there. The token stays in its own file, read at each call: the
 * profile file holds no secret, and a token replaced in its file takes effect without logging in
 * again.
 *
 * @param endpoint {@code https://host:port} (or {@code http://} for a server without TLS)
 * @param tokenFile the file holding the API token, as an absolute path
 * @param caFile PEM certificates of the CAs to trust, or {@code null}
 * @param fingerprint the pinned SHA-256 of the server's certificate (hex), or {@code null}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Profile(String endpoint, String tokenFile, String caFile, String fingerprint) {

  /** The certificates this profile accepts. */
  public ServerTrust trust() {
    if (fingerprint != null) {
      return new ServerTrust.Pinned(new Fingerprint(fingerprint));
    }
    if (caFile != null) {
      return new ServerTrust.CaFile(Path.of(caFile));
    }
    return new ServerTrust.SystemCertificates();
  }

  public URI endpointUri() {
    return Endpoints.parse(endpoint);
  }
}
