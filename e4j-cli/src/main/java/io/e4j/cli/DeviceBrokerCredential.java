package io.e4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.e4j.api.v1.DeviceRef;
import io.e4j.api.v1.IssueBrokerCredentialRequest;
import io.e4j.api.v1.IssueBrokerCredentialResponse;
import io.e4j.api.v1.RevokeBrokerCredentialRequest;
import io.e4j.cli.internal.C2Connection;
import io.e4j.cli.internal.CommandFailure;
import io.e4j.cli.internal.DeviceRefs;
import io.e4j.cli.internal.ExitCodes;
import io.e4j.cli.internal.Json;
import io.e4j.cli.internal.KeyFiles;
import io.e4j.core.E4Exception;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code e4 devices broker-credential}: issues (or revokes) the credential with which a device that
 * cannot derive its broker password logs in to the embedded broker in {@code devices} mode.
 */
@Command(
    name = "broker-credential",
    mixinStandardHelpOptions = true,
    description = {
      "Issue a device a broker credential for the embedded broker in devices access mode"
          + " (broker.access = devices), for devices that cannot derive their broker password from"
          + " their key, such as Teserakt's clients. The device logs in with its hex ID (or its"
          + " name) as user name and the credential as password.",
      "",
      "A new credential replaces the device's previous one: clients logged in with it are"
          + " disconnected. It is shown once (or written to --out, owner-only): C2 keeps only its"
          + " hash. --revoke revokes it."
    },
    footer = {
      "",
      "Examples:",
      "  e4 devices broker-credential meter-0042",
      "  e4 devices broker-credential meter-0042 --out meter-0042.broker-password",
      "  e4 devices broker-credential meter-0042 --revoke"
    })
final class DeviceBrokerCredential implements Callable<Integer> {
  @Spec private CommandSpec spec;
  @Mixin private OperatorOptions api;

  @Parameters(paramLabel = "DEVICE", converter = DeviceRefs.class, description = "the device")
  private DeviceRef device;

  @Option(names = "--revoke", description = "revoke the device's credential instead")
  private boolean revoke;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description =
          "write the credential to FILE (owner-only; the credential alone, no line break)"
              + " instead of showing it")
  private Path out;

  @Option(names = "--force", description = "with --out: replace FILE if it exists")
  private boolean force;

  @Override
  public Integer call() {
    if (revoke) {
      if (out != null || force) {
        throw usage("--out and --force go with issuing, not with --revoke");
      }
      return revoke();
    }
    if (force && out == null) {
      throw usage("--force goes with --out");
    }
    if (out != null) {
      checkWritable(out);
    }
    IssueBrokerCredentialResponse issued;
    try (C2Connection c2 = api.connect()) {
      issued =
          c2.c2()
              .issueBrokerCredential(
                  IssueBrokerCredentialRequest.newBuilder().setDevice(device).build());
    }
    String shown = Render.device(issued.getDevice());
    if (out != null) {
      write(issued, shown);
    }
    report(issued, shown);
    return ExitCodes.OK;
  }

  private int revoke() {
    try (C2Connection c2 = api.connect()) {
      api.printOrSay(
          c2.c2()
              .revokeBrokerCredential(
                  RevokeBrokerCredentialRequest.newBuilder().setDevice(device).build()),
          "revoked the broker credential of "
              + DeviceRefs.show(device)
              + ": its clients are disconnected");
    }
    return ExitCodes.OK;
  }

  /** Before C2 is asked: a credential issued and then not written would lock the device out. */
  private void checkWritable(Path file) {
    Path directory = file.toAbsolutePath().normalize().getParent();
    if (directory == null || !Files.isDirectory(directory)) {
      throw new CommandFailure(
          ExitCodes.FAILED,
          "cannot write " + file + ": the directory " + directory + " does not exist");
    }
    if (Files.isDirectory(file)) {
      throw new CommandFailure(ExitCodes.FAILED, file + " is a directory");
    }
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !force) {
      throw new CommandFailure(
          ExitCodes.ALREADY_EXISTS, file + " exists already; --force replaces it");
    }
    if (!Files.isWritable(directory)) {
      throw new CommandFailure(ExitCodes.FAILED, "cannot write in " + directory);
    }
  }

  private void write(IssueBrokerCredentialResponse issued, String shown) {
    try {
      KeyFiles.writePrivate(out, issued.getCredential().getBytes(StandardCharsets.US_ASCII), force);
    } catch (E4Exception e) {
      // The secret is not shown here either: it may be going to a terminal someone else sees.
      throw new CommandFailure(
          ExitCodes.FAILED,
          "C2 issued "
              + shown
              + " a new broker credential (its previous one no longer works), but it could not be"
              + " written: "
              + e.getMessage()
              + ". Run the command again to issue another.");
    }
  }

  private void report(IssueBrokerCredentialResponse issued, String shown) {
    String id = issued.getDevice().getId();
    if (api.json()) {
      ObjectNode document = Json.object();
      document.set("device", Json.node(issued.getDevice()));
      document.set("issuedAt", Json.node(issued).get("issuedAt"));
      if (out != null) {
        document.put("credentialFile", out.toString());
      } else {
        document.put("credential", issued.getCredential());
      }
      document.put("username", id);
      api.print(document);
      return;
    }
    if (out != null) {
      api.say("issued " + shown + " a broker credential, written to " + out + " (owner-only)");
    } else {
      api.say("issued " + shown + " a broker credential (shown once; C2 keeps only its hash):");
      api.say(issued.getCredential());
    }
    api.say(
        "the device logs in with user name "
            + id
            + (issued.getDevice().getName().isEmpty()
                ? ""
                : " (or " + issued.getDevice().getName() + ")")
            + " and this credential as password; its previous one, if any, no longer works");
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
