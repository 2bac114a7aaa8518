package io.e4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.e4j.api.v1.CreateDeviceRequest;
import io.e4j.api.v1.CreateDeviceResponse;
import io.e4j.api.v1.CryptoMode;
import io.e4j.api.v1.DeviceRef;
import io.e4j.api.v1.GetC2PublicKeyRequest;
import io.e4j.api.v1.GetCryptoModeRequest;
import io.e4j.cli.internal.C2Connection;
import io.e4j.cli.internal.CommandFailure;
import io.e4j.cli.internal.ExitCodes;
import io.e4j.cli.internal.Json;
import io.e4j.cli.internal.Shell;
import io.e4j.cli.internal.StagedStateFile;
import io.e4j.core.E4Client;
import io.e4j.core.Keys;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code e4 devices provision}: a device in C2 and its ready state file in one step.
 *
 * <p>The keys are generated here and the state file is written (beside its destination) before C2
 * is asked to create the device, then moved into place: a failure before C2 answers leaves nothing
 * anywhere, and after it only the move can fail, with the keys still on disk. In public-key mode
 * the device's Ed25519 signing key never leaves the file; C2 gets its public half.
 */
@Command(
    name = "provision",
    mixinStandardHelpOptions = true,
    description = {
      "Create a device in C2 with a new key and write its ready state file (owner-only), which e4"
          + " device shell and E4Client load. The key is generated here; in public-key mode"
          + " (--public-key, for a C2 that runs in that mode) the device's Ed25519 signing key"
          + " stays in the file and C2 gets only its public key.",
      "",
      "The file is written before C2 creates the device and put in place after: if C2 refuses,"
          + " nothing is left behind; an existing file is never replaced without --force."
    },
    footer = {
      "",
      "Examples:",
      "  e4 devices provision alice --out alice.e4",
      "  e4 devices provision meter-0042 --out /etc/meter/meter-0042.e4 \\",
      "      --broker mqtts://broker.example:8883",
      "  e4 devices provision gateway-1 --out gateway-1.e4 --public-key"
    })
final class DeviceProvision implements Callable<Integer> {
  private static final String EMBEDDED_BROKER = "mqtt://127.0.0.1:1883";

  @Spec private CommandSpec spec;
  @Mixin private OperatorOptions api;

  @Parameters(index = "0", paramLabel = "NAME", description = "the device's name; ID = SHA3(name)")
  private String name;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "the state file to write (owner-only)")
  private Path out;

  @Option(
      names = "--public-key",
      description = "public-key mode: a new Ed25519 signing key, kept only in the file")
  private boolean publicKey;

  @Option(names = "--force", description = "replace FILE if it exists")
  private boolean force;

  @Option(
      names = "--broker",
      paramLabel = "URL",
      defaultValue = EMBEDDED_BROKER,
      description =
          "the broker the device will use, for the command printed at the end (default:"
              + " ${DEFAULT-VALUE}, the one e4 server embeds)")
  private String broker;

  @Override
  public Integer call() {
    checkBroker();
    StagedStateFile file = StagedStateFile.prepare(out, force);
    CreateDeviceResponse created;
    String mode;
    try (C2Connection c2 = api.connect()) {
      checkMode(c2.c2().getCryptoMode(GetCryptoModeRequest.getDefaultInstance()).getMode());
      CreateDeviceRequest.Builder request =
          CreateDeviceRequest.newBuilder().setDevice(DeviceRef.newBuilder().setName(name));
      mode =
          publicKey ? writePublicKeyDevice(c2, file, request) : writeSymmetricDevice(file, request);
      created = c2.c2().createDevice(request.build());
    } catch (RuntimeException e) {
      file.discard();
      throw e;
    }
    String shown = Render.device(created.getDevice());
    file.commit(
        "C2 created device " + shown,
        "remove the device (e4 devices remove " + Shell.quote(shown) + ")");
    report(created, mode);
    return ExitCodes.OK;
  }

  private String writeSymmetricDevice(StagedStateFile file, CreateDeviceRequest.Builder request) {
    byte[] key = Keys.randomKey();
    try {
      write(E4Client.builder().name(name).key(key), file);
      request.setKey(ByteString.copyFrom(key));
      return E4Client.Mode.SYMMETRIC.description();
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  private String writePublicKeyDevice(
      C2Connection c2, StagedStateFile file, CreateDeviceRequest.Builder request) {
    byte[] c2PublicKey =
        c2.c2()
            .getC2PublicKey(GetC2PublicKeyRequest.getDefaultInstance())
            .getPublicKey()
            .toByteArray();
    byte[] signing = Keys.newEd25519();
    try {
      write(E4Client.builder().name(name).signingKey(signing).c2PublicKey(c2PublicKey), file);
      request.setPublicKey(ByteString.copyFrom(Keys.ed25519Public(signing)));
      return E4Client.Mode.PUBLIC_KEY.description();
    } finally {
      Arrays.fill(signing, (byte) 0);
    }
  }

  private static void write(E4Client.Builder device, StagedStateFile file) {
    device.store(file.store()).build().close();
  }

  private void checkMode(CryptoMode mode) {
    if (mode == CryptoMode.PUBLIC_KEY && !publicKey) {
      throw new CommandFailure(
          ExitCodes.FAILED,
          "C2 runs in public-key mode: add --public-key (the device's signing key is generated"
              + " here and stays in "
              + out
              + ")");
    }
    if (mode == CryptoMode.SYMMETRIC_KEY && publicKey) {
      throw new CommandFailure(
          ExitCodes.FAILED, "C2 runs in symmetric-key mode: leave out --public-key");
    }
  }

  private void checkBroker() {
    try {
      URI url = new URI(broker);
      if (url.getHost() != null && List.of("mqtt", "mqtts").contains(url.getScheme())) {
        return;
      }
    } catch (URISyntaxException e) {
      // Said below.
    }
    throw new CommandLine.ParameterException(
        spec.commandLine(), "--broker takes mqtt://HOST:PORT or mqtts://HOST:PORT, got " + broker);
  }

  /** The command that runs the device, exactly as the user can paste it. */
  private String shellCommand() {
    return "e4 device shell --state "
        + Shell.quote(out.toString())
        + " --broker "
        + Shell.quote(broker);
  }

  private void report(CreateDeviceResponse created, String mode) {
    String shown = Render.device(created.getDevice());
    if (api.json()) {
      ObjectNode document = Json.object();
      document.set("device", Json.node(created.getDevice()));
      document.put("mode", mode);
      document.put("stateFile", out.toString());
      document.put("next", shellCommand());
      api.print(document);
      return;
    }
    api.say(
        "created device "
            + shown
            + " (id "
            + created.getDevice().getId()
            + ", "
            + mode
            + " mode) in C2");
    api.say(
        "wrote its state to "
            + out
            + " (owner-only: it holds the device's "
            + (publicKey ? "signing key, which C2 never saw)" : "key)"));
    api.say(
        "next: link it to topics (e4 link "
            + Shell.quote(shown)
            + " TOPIC)"
            + (publicKey
                ? ", send it the public keys of the devices it hears (e4 pubkeys send OTHER "
                    + Shell.quote(shown)
                    + ")"
                : "")
            + ", and run it:");
    api.say("  " + shellCommand());
  }
}
