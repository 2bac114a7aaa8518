package io.e4j.cli;

import io.e4j.cli.internal.KeyFiles;
import io.e4j.core.ClientStore;
import io.e4j.core.E4Client;
import io.e4j.core.E4Exception;
import io.e4j.core.E4Exception.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code e4 device}: a device's state file, and single messages for scripts and forensics. */
@Command(
    name = "device",
    mixinStandardHelpOptions = true,
    description = "Create a device state file; protect or unprotect one message with it.",
    footer = {
      "",
      "Example:",
      "  e4 device init --name meter-0042 --password-file pw.txt --state meter-0042.e4",
      "  echo -n '21.5' | e4 device protect --state meter-0042.e4 --topic meters/0042 > msg.bin"
    },
    subcommands = {
      DeviceCommand.Init.class,
      DeviceCommand.Protect.class,
      DeviceCommand.Unprotect.class,
      DeviceCommand.SetTopicKey.class,
      DeviceShell.class
    })
final class DeviceCommand {
  private DeviceCommand() {}

  /** {@code e4 device init}. */
  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description = {
        "Create a device state file. Symmetric-key mode takes a password or a key file;"
            + " public-key mode takes C2's Curve25519 public key and an Ed25519 key file or a"
            + " password."
      },
      footer = {
        "",
        "Examples:",
        "  e4 device init --name meter-0042 --password-file pw.txt --state meter-0042.e4",
        "  e4 device init --name meter-0042 --ed25519-file meter-0042.ed25519 \\",
        "      --c2-public-key-file c2.curve25519.pub --state meter-0042.e4"
      })
  static final class Init implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @Option(names = "--name", required = true, description = "the device name; ID = SHA3(name)")
    private String name;

    @ArgGroup(multiplicity = "1")
    private Secret secret;

    /** Exactly one source for the device's own key. */
    static final class Secret {
      @Option(
          names = "--password-file",
          paramLabel = "FILE",
          description = "a password (16 bytes or more)")
      Path passwordFile;

      @Option(names = "--key-file", paramLabel = "FILE", description = "a 32-byte symmetric key")
      Path keyFile;

      @Option(
          names = "--ed25519-file",
          paramLabel = "FILE",
          description = "a 64-byte Ed25519 private key")
      Path ed25519File;
    }

    @Option(
        names = "--c2-public-key-file",
        paramLabel = "FILE",
        description = "C2's 32-byte Curve25519 public key: makes a public-key device")
    private Path c2PublicKeyFile;

    @Option(
        names = "--state",
        required = true,
        paramLabel = "FILE",
        description = "the state file to create")
    private Path state;

    @Override
    public Integer call() {
      E4Client.Builder builder = E4Client.builder().name(name).store(ClientStore.file(state));
      if (c2PublicKeyFile != null) {
        builder.c2PublicKey(KeyFiles.read(c2PublicKeyFile, 32, "C2 public key"));
      } else if (secret.ed25519File != null) {
        throw new E4Exception(
            Reason.INVALID_ARGUMENT,
            "--ed25519-file makes a public-key device: add --c2-public-key-file");
      }
      if (secret.passwordFile != null) {
        builder.password(KeyFiles.readPassword(secret.passwordFile));
      } else if (secret.keyFile != null) {
        if (c2PublicKeyFile != null) {
          throw new E4Exception(
              Reason.INVALID_ARGUMENT, "a public-key device takes --ed25519-file, not --key-file");
        }
        builder.key(KeyFiles.read(secret.keyFile, 32, "symmetric key"));
      } else {
        builder.signingKey(KeyFiles.read(secret.ed25519File, 64, "Ed25519 private key"));
      }
      try (E4Client device = builder.build()) {
        spec.commandLine()
            .getOut()
            .println(
                "created "
                    + device.mode().description()
                    + " device "
                    + name
                    + " (id "
                    + HexFormat.of().formatHex(device.id())
                    + ", control topic "
                    + device.controlTopic()
                    + ") in "
                    + state);
      }
      return 0;
    }
  }

  /** {@code e4 device set-topic-key}. */
  @Command(
      name = "set-topic-key",
      mixinStandardHelpOptions = true,
      description = {
        "Give the device a topic key directly, without C2: for trials and for deployments that"
            + " distribute keys themselves. The key it replaces stays usable for the key"
            + " transition."
      },
      footer = {
        "",
        "Example:",
        "  e4 keygen --type symmetric --out temperature.key",
        "  e4 device set-topic-key --state meter-0042.e4 --topic sensors/temperature \\",
        "      --key-file temperature.key"
      })
  static final class SetTopicKey implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @Option(
        names = "--state",
        required = true,
        paramLabel = "FILE",
        description = "the device state file")
    private Path state;

    @Option(names = "--topic", required = true, description = "the topic")
    private String topic;

    @Option(
        names = "--key-file",
        required = true,
        paramLabel = "FILE",
        description = "a 32-byte topic key")
    private Path keyFile;

    @Override
    public Integer call() {
      byte[] key = KeyFiles.read(keyFile, 32, "topic key");
      try (E4Client device = E4Client.load(ClientStore.file(state))) {
        device.setTopicKey(topic, key);
      } finally {
        java.util.Arrays.fill(key, (byte) 0);
      }
      spec.commandLine().getOut().println("topic key for " + topic + " saved in " + state);
      return 0;
    }
  }

  /** What protect and unprotect share. */
  abstract static class OneMessage implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--state",
        required = true,
        paramLabel = "FILE",
        description = "the device state file")
    Path state;

    @Option(names = "--topic", required = true, description = "the topic of the message")
    String topic;

    @Option(
        names = "--in",
        paramLabel = "FILE",
        description = "read the message from FILE (default: standard input)")
    Path in;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "write the result to FILE (default: standard output)")
    Path out;

    @Option(
        names = "--at",
        paramLabel = "EPOCH_SECONDS",
        description = "evaluate timestamps as of this instant (default: now)")
    Long at;

    E4Client load() {
      Clock clock =
          at == null ? Clock.systemUTC() : Clock.fixed(Instant.ofEpochSecond(at), ZoneOffset.UTC);
      return E4Client.load(ClientStore.file(state), clock);
    }

    byte[] input() {
      try (InputStream stream = in == null ? System.in : Files.newInputStream(in)) {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new E4Exception(
            Reason.INVALID_ARGUMENT,
            "cannot read " + (in == null ? "standard input" : in) + ": " + e.getMessage());
      }
    }

    void output(byte[] result) {
      try {
        if (out == null) {
          OutputStream stdout = System.out;
          stdout.write(result);
          stdout.flush();
        } else {
          Files.write(out, result);
        }
      } catch (IOException e) {
        throw new E4Exception(
            Reason.STORAGE,
            "cannot write " + (out == null ? "standard output" : out) + ": " + e.getMessage());
      }
    }
  }

  /** {@code e4 device protect}. */
  @Command(
      name = "protect",
      mixinStandardHelpOptions = true,
      description = "Protect one message for a topic.",
      footer = {
        "",
        "Example:",
        "  echo -n '21.5' | e4 device protect --state meter-0042.e4 --topic meters/0042 > msg.bin"
      })
  static final class Protect extends OneMessage {
    @Override
    public Integer call() {
      try (E4Client device = load()) {
        output(device.protect(topic, input()));
      }
      return 0;
    }
  }

  /** {@code e4 device unprotect}. */
  @Command(
      name = "unprotect",
      mixinStandardHelpOptions = true,
      description = {
        "Unprotect one message received on a topic. A message for the device's control topic is a"
            + " C2 command: it is applied to the state file and nothing is written."
      },
      footer = {
        "",
        "Examples:",
        "  e4 device unprotect --state meter-0042.e4 --topic meters/0042 --in msg.bin",
        "  e4 device unprotect --state meter-0042.e4 --topic meters/0042 --in old.bin --at 1700000005"
      })
  static final class Unprotect extends OneMessage {
    @Override
    public Integer call() {
      try (E4Client device = load()) {
        Optional<byte[]> payload = device.unprotect(topic, input());
        if (payload.isPresent()) {
          output(payload.get());
        } else {
          spec.commandLine().getErr().println("command applied to " + state);
        }
      }
      return 0;
    }
  }
}
