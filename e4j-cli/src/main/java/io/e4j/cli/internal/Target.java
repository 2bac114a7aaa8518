package io.e4j.cli.internal;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The C2 a command talks to: its endpoint, which certificates it may show, and the caller's token.
 * A profile gives all three; E4_ENDPOINT, E4_TOKEN, E4_FINGERPRINT and E4_CA_FILE override it (or
 * stand in for it, in scripts without a profile).
 */
public record Target(String profile, URI endpoint, ServerTrust trust, TokenSource token) {
  public static final String DEFAULT_PROFILE = "default";

  /**
   * The target of {@code profileName} (null: E4_PROFILE, else the default profile) with the
   * environment's overrides.
   */
  public static Target resolve(String profileName, Map<String, String> environment) {
    Profiles profiles = Profiles.of(environment);
    boolean named = profileName != null || environment.containsKey("E4_PROFILE");
    String name =
        profileName != null ? profileName : environment.getOrDefault("E4_PROFILE", DEFAULT_PROFILE);
    Optional<Profile> profile = profiles.find(name);
    String endpointOverride = blankToNull(environment.get("E4_ENDPOINT"));
    if (profile.isEmpty() && (named || endpointOverride == null)) {
      throw new CommandFailure(
          ExitCodes.NOT_ALLOWED,
          "no profile '"
              + name
              + "' in "
              + profiles.file()
              + ": run e4 login --endpoint URL --token-file FILE"
              + (name.equals(DEFAULT_PROFILE) ? "" : " --name " + name)
              + " first (or set E4_ENDPOINT and E4_TOKEN)");
    }
    URI endpoint =
        Endpoints.parse(endpointOverride != null ? endpointOverride : profile.get().endpoint());
    return new Target(
        name, endpoint, trust(environment, profile, endpoint), token(environment, profile));
  }

  private static ServerTrust trust(
      Map<String, String> environment, Optional<Profile> profile, URI endpoint) {
    String fingerprint = blankToNull(environment.get("E4_FINGERPRINT"));
    if (fingerprint != null) {
      try {
        return new ServerTrust.Pinned(Fingerprint.parse(fingerprint));
      } catch (IllegalArgumentException e) {
        throw new CommandFailure(ExitCodes.USAGE, "E4_FINGERPRINT: " + e.getMessage());
      }
    }
    String caFile = blankToNull(environment.get("E4_CA_FILE"));
    if (caFile != null) {
      return new ServerTrust.CaFile(Path.of(caFile));
    }
    // A profile's pin belongs to its own server: another endpoint is checked against the CAs.
    return profile
        .filter(p -> p.endpointUri().equals(endpoint))
        .map(Profile::trust)
        .orElse(new ServerTrust.SystemCertificates());
  }

  private static TokenSource token(Map<String, String> environment, Optional<Profile> profile) {
    String token = environment.get("E4_TOKEN");
    if (token != null) {
      return new TokenSource.FromEnvironment("E4_TOKEN", token);
    }
    return profile
        .filter(p -> p.tokenFile() != null)
        .<TokenSource>map(p -> new TokenSource.TokenFile(Path.of(p.tokenFile())))
        .orElseThrow(
            () ->
                new CommandFailure(
                    ExitCodes.NOT_ALLOWED,
                    "no API token: set E4_TOKEN, or run e4 login --token-file FILE"));
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
