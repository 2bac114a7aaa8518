package io.e4j.cli;

import io.e4j.api.v1.WhoAmIRequest;
import io.e4j.api.v1.WhoAmIResponse;
import io.e4j.cli.internal.C2Connection;
import io.e4j.cli.internal.CertificateProbe;
import io.e4j.cli.internal.CommandFailure;
import io.e4j.cli.internal.Endpoints;
import io.e4j.cli.internal.ExitCodes;
import io.e4j.cli.internal.Fingerprint;
import io.e4j.cli.internal.OwnerOnlyFiles;
import io.e4j.cli.internal.Profile;
import io.e4j.cli.internal.Profiles;
import io.e4j.cli.internal.ServerTrust;
import io.e4j.cli.internal.Target;
import io.e4j.cli.internal.TokenSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code e4 login}: checks a token against a C2 and saves how to reach it as a profile. */
@Command(
    name = "login",
    mixinStandardHelpOptions = true,
    description = {
      "Check an API token against C2 and save how to reach it as a profile.",
      "",
      "Calls WhoAmI, then saves the endpoint, the token file's path and the"
          + " server's certificate pin as a profile, in profiles.json under $E4_CONFIG_DIR, else"
          + " $XDG_CONFIG_HOME/e4, else ~/.config/e4 (owner-only).",
      "The token stays in its file, read at each call: keep that file owner-only (chmod 600).",
      "",
      "C2 serves its API with a self-signed certificate unless configured otherwise. Without"
          + " --ca-file or --fingerprint, login trusts the certificate the server shows now,"
          + " prints its SHA-256 fingerprint (compare it with the one C2 logged at start) and"
          + " pins it: later commands accept that certificate only."
    },
    footer = {
      "",
      "Examples:",
      "  e4 login --endpoint https://c2.example:8443 --token-file ~/.e4/admin.token",
      "  e4 login --endpoint https://c2.example:8443 --token-file ops.token --name prod \\",
      "      --fingerprint 3a:91:...:0c",
      "  e4 login --endpoint https://c2.example --token-file ops.token --ca-file company-ca.pem"
    })
final class LoginCommand implements Callable<Integer> {
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);

  @Spec private CommandSpec spec;

  @Option(names = "--endpoint", required = true, paramLabel = "URL", description = "C2's API")
  private String endpoint;

  @Option(
      names = "--token-file",
      required = true,
      paramLabel = "FILE",
      description = "the file holding the API token")
  private Path tokenFile;

  @Option(
      names = {"--name", "--profile"},
      paramLabel = "PROFILE",
      defaultValue = Target.DEFAULT_PROFILE,
      description = "the profile to save (default: ${DEFAULT-VALUE})")
  private String name;

  @ArgGroup(exclusive = true)
  private Trust trust;

  /** How the server's certificate is checked; neither: pinned on first use. */
  static final class Trust {
    @Option(
        names = "--ca-file",
        paramLabel = "PEM",
        description = "trust certificates issued by these CAs (PEM), host name checked")
    Path caFile;

    @Option(
        names = "--fingerprint",
        paramLabel = "SHA256",
        description = "accept only the server certificate with this SHA-256 fingerprint")
    String fingerprint;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    URI uri = Endpoints.parse(endpoint);
    Path token = tokenFile.toAbsolutePath().normalize();
    warnIfReadableByOthers(token);
    Profile profile = new Profile(uri.toString(), token.toString(), caFile(), fingerprint(uri));
    WhoAmIResponse caller;
    try (C2Connection c2 =
        C2Connection.open(
            new Target(name, uri, profile.trust(), new TokenSource.TokenFile(token)))) {
      caller = c2.c2().whoAmI(WhoAmIRequest.getDefaultInstance());
    }
    Profiles profiles = Profiles.of(((E4Command) spec.root().userObject()).environment());
    profiles.save(name, profile);
    out.println("logged in to " + uri + " as " + caller.getName() + " (" + caller.getRole() + ")");
    out.println("saved profile '" + name + "' in " + profiles.file());
    out.flush();
    return ExitCodes.OK;
  }

  private String caFile() {
    if (trust == null || trust.caFile == null) {
      return null;
    }
    Path ca = trust.caFile.toAbsolutePath().normalize();
    new ServerTrust.CaFile(ca)
        .trustManager(); // refuses an unreadable file before anything is saved
    return ca.toString();
  }

  /** The pin: given, or the certificate the server shows now; none with a CA file or plain HTTP. */
  private String fingerprint(URI uri) {
    if (trust != null && trust.fingerprint != null) {
      try {
        return Fingerprint.parse(trust.fingerprint).hex();
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--fingerprint: " + e.getMessage());
      }
    }
    if (trust != null && trust.caFile != null) {
      return null;
    }
    if (!Endpoints.isTls(uri)) {
      note(
          "e4: warning: "
              + uri
              + " is plain HTTP: the token and every key travel unencrypted; use https outside"
              + " a test machine");
      return null;
    }
    Fingerprint pinned = Fingerprint.of(CertificateProbe.serverCertificate(uri, PROBE_TIMEOUT));
    spec.commandLine().getOut().println("pinned server certificate SHA-256 " + pinned);
    return pinned.hex();
  }

  private void warnIfReadableByOthers(Path token) {
    try {
      if (OwnerOnlyFiles.readableByOthers(token)) {
        note("e4: warning: " + token + " is readable by other users; chmod 600 " + token);
      }
    } catch (IOException e) {
      throw new CommandFailure(
          ExitCodes.NOT_ALLOWED, "cannot read the token file " + token + ": " + e.getMessage());
    }
    if (!Files.isReadable(token)) {
      throw new CommandFailure(ExitCodes.NOT_ALLOWED, "cannot read the token file " + token);
    }
  }

  private void note(String line) {
    spec.commandLine().getErr().println(line);
    spec.commandLine().getErr().flush();
  }
}
