package io.e4j.cli;

import com.google.protobuf.ByteString;
import io.e4j.api.v1.ProtectMessageRequest;
import io.e4j.api.v1.ProtectMessageResponse;
import io.e4j.api.v1.UnprotectMessageRequest;
import io.e4j.api.v1.UnprotectMessageResponse;
import io.e4j.cli.internal.C2Connection;
import io.e4j.cli.internal.CommandFailure;
import io.e4j.cli.internal.ExitCodes;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code e4 message}: protect or open one message with C2's topic keys (admin). */
@Command(
    name = "message",
    mixinStandardHelpOptions = true,
    description = {
      "Protect or unprotect one message with C2's key for its topic (admin).",
      "",
      "As a device would: to test devices or read what a topic carries (admin only: whoever may do this can read"
          + " every topic). The result is written raw to --out or standard output; -o json gives"
          + " it in base64."
    },
    footer = {
      "",
      "Examples:",
      "  e4 message protect --topic sensors/temperature --text '21.5' --out msg.bin",
      "  e4 message unprotect --topic sensors/temperature --file msg.bin"
    },
    subcommands = {MessageCommand.Protect.class, MessageCommand.Unprotect.class})
final class MessageCommand {
  private MessageCommand() {}

  /** {@code e4 message protect}. */
  @Command(
      name = "protect",
      mixinStandardHelpOptions = true,
      description = "Protect a payload under a topic's key (symmetric-key mode).",
      footer = {
        "",
        "Examples:",
        "  e4 message protect --topic sensors/temperature --text '21.5' > msg.bin",
        "  e4 message protect --topic firmware/v2 --file image.bin --out image.e4 -o json"
      })
  static final class Protect implements Callable<Integer> {
    @Mixin private OperatorOptions api;

    @Option(names = "--topic", required = true, description = "the topic")
    private String topic;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Payload payload;

    /** Where the payload comes from. */
    static final class Payload {
      @Option(names = "--file", paramLabel = "FILE", description = "the payload's file")
      Path file;

      @Option(names = "--text", paramLabel = "TEXT", description = "the payload, as UTF-8 text")
      String text;
    }

    @Option(names = "--out", paramLabel = "FILE", description = "write the result to FILE")
    private Path out;

    @Override
    public Integer call() {
      byte[] bytes =
          payload.file != null ? read(payload.file) : payload.text.getBytes(StandardCharsets.UTF_8);
      ProtectMessageResponse response;
      try (C2Connection c2 = api.connect()) {
        response =
            c2.c2()
                .protectMessage(
                    ProtectMessageRequest.newBuilder()
                        .setTopic(topic)
                        .setPayload(ByteString.copyFrom(bytes))
                        .build());
      }
      if (api.json()) {
        api.print(response);
      } else {
        write(response.getProtectedMessage().toByteArray(), out);
      }
      return ExitCodes.OK;
    }
  }

  /** {@code e4 message unprotect}. */
  @Command(
      name = "unprotect",
      mixinStandardHelpOptions = true,
      description =
          "Check and open a protected message with the topic's key; in public-key mode"
              + " the sender's ID is printed on standard error.",
      footer = {
        "",
        "Example:",
        "  e4 message unprotect --topic sensors/temperature --file msg.bin --out payload.txt"
      })
  static final class Unprotect implements Callable<Integer> {
    @Mixin private OperatorOptions api;

    @Option(names = "--topic", required = true, description = "the topic")
    private String topic;

    @Option(names = "--file", required = true, paramLabel = "FILE", description = "the message")
    private Path file;

    @Option(names = "--out", paramLabel = "FILE", description = "write the payload to FILE")
    private Path out;

    @Override
    public Integer call() {
      UnprotectMessageResponse response;
      try (C2Connection c2 = api.connect()) {
        response =
            c2.c2()
                .unprotectMessage(
                    UnprotectMessageRequest.newBuilder()
                        .setTopic(topic)
                        .setProtectedMessage(ByteString.copyFrom(read(file)))
                        .build());
      }
      if (api.json()) {
        api.print(response);
        return ExitCodes.OK;
      }
      if (!response.getSenderId().isEmpty()) {
        api.note("sender: id:" + response.getSenderId());
      }
      write(response.getPayload().toByteArray(), out);
      return ExitCodes.OK;
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.FAILED, "cannot read " + file + ": " + e.getMessage());
    }
  }

  /** Raw bytes, to {@code file} or else standard output. */
  private static void write(byte[] bytes, Path file) {
    try {
      if (file == null) {
        OutputStream stdout = System.out;
        stdout.write(bytes);
        stdout.flush();
      } else {
        Files.write(file, bytes);
      }
    } catch (IOException e) {
      throw new CommandFailure(
          ExitCodes.FAILED,
          "cannot write " + (file == null ? "standard output" : file) + ": " + e.getMessage());
    }
  }
}
