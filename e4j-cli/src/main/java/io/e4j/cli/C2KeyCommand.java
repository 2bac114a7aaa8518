package io.e4j.cli;

import io.e4j.api.v1.GetC2PublicKeyRequest;
import io.e4j.api.v1.GetC2PublicKeyResponse;
import io.e4j.api.v1.NewC2KeyRequest;
import io.e4j.api.v1.NewC2KeyResponse;
import io.e4j.cli.internal.C2Connection;
import io.e4j.cli.internal.CommandFailure;
import io.e4j.cli.internal.ExitCodes;
import java.io.Console;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code e4 c2key}: C2's own key pair (public-key mode). */
@Command(
    name = "c2key",
    mixinStandardHelpOptions = true,
    description = "Public-key mode: show or rotate C2's Curve25519 key pair.",
    footer = {"", "Examples:", "  e4 c2key show", "  e4 c2key rotate --yes"},
    subcommands = {C2KeyCommand.Show.class, C2KeyCommand.Rotate.class})
final class C2KeyCommand {
  private C2KeyCommand() {}

  /** {@code e4 c2key show}. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description =
          "Print C2's current Curve25519 public key (hex), which devices are provisioned"
              + " with.",
      footer = {"", "Examples:", "  e4 c2key show", "  e4 c2key show -o json"})
  static final class Show implements Callable<Integer> {
    @Mixin private OperatorOptions api;

    @Override
    public Integer call() {
      try (C2Connection c2 = api.connect()) {
        GetC2PublicKeyResponse key =
            c2.c2().getC2PublicKey(GetC2PublicKeyRequest.getDefaultInstance());
        api.printOrSay(key, HexFormat.of().formatHex(key.getPublicKey().toByteArray()));
      }
      return ExitCodes.OK;
    }
  }

  /** {@code e4 c2key rotate}. */
  @Command(
      name = "rotate",
      mixinStandardHelpOptions = true,
      description = {
        "Make a new key pair for C2 and send its public key to every device (admin). Asks for"
            + " confirmation; without a terminal, --yes is required."
      },
      footer = {"", "Examples:", "  e4 c2key rotate", "  e4 c2key rotate --yes -o json"})
  static final class Rotate implements Callable<Integer> {
    @Mixin private OperatorOptions api;

    @Option(names = "--yes", description = "do not ask for confirmation")
    private boolean yes;

    @Override
    public Integer call() {
      if (!yes && !confirmed()) {
        return ExitCodes.FAILED;
      }
      try (C2Connection c2 = api.connect()) {
        NewC2KeyResponse key = c2.c2().newC2Key(NewC2KeyRequest.getDefaultInstance());
        api.printOrSay(
            key,
            "new C2 public key "
                + HexFormat.of().formatHex(key.getPublicKey().toByteArray())
                + ", on its way to every device");
      }
      return ExitCodes.OK;
    }

    private boolean confirmed() {
      Console console = System.console();
      if (console == null) {
        throw new CommandFailure(
            ExitCodes.FAILED,
            "rotating C2's key changes every device's copy of it: confirm with --yes (there is no"
                + " terminal to ask on)");
      }
      String answer =
          console.readLine(
              "Rotate C2's key pair of %s and send the new public key to every device? [y/N] ",
              api.target().endpoint());
      boolean confirmed =
          answer != null && (answer.strip().toLowerCase(Locale.ROOT).matches("y|yes"));
      if (!confirmed) {
        api.note("e4: not rotated");
      }
      return confirmed;
    }
  }
}
