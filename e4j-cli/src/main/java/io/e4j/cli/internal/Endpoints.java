package io.e4j.cli.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** C2 API addresses as operators write them. */
public final class Endpoints {
  private Endpoints() {}

  /** {@code https://host[:port]} or {@code http://host[:port]}, without a path. */
  public static URI parse(String text) {
    URI uri;
    try {
      uri = new URI(text.strip());
    } catch (URISyntaxException e) {
      throw invalid(text, e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw invalid(text, "expected https://host:port");
    }
    if (uri.getHost() == null) {
      throw invalid(text, "no host");
    }
    if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
      throw invalid(text, "C2's API takes no path");
    }
    try {
      return new URI(scheme, null, uri.getHost(), uri.getPort(), null, null, null);
    } catch (URISyntaxException e) {
      throw invalid(text, e.getReason());
    }
  }

  public static boolean isTls(URI endpoint) {
    return endpoint.getScheme().equals("https");
  }

  private static CommandFailure invalid(String text, String reason) {
    return new CommandFailure(ExitCodes.USAGE, "'" + text + "' is not a C2 endpoint: " + reason);
  }
}
