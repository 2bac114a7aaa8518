package io.e4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class E4CommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine command = E4Command.commandLine();
    command.setOut(new PrintWriter(out));
    command.setErr(new PrintWriter(err));
    return command.execute(args);
  }

  @Test
  void server_listsEveryConfigurationProblemAtOnce() {
    assertThat(
            run(
                "server",
                "--mode",
                "quantum",
                "--set",
                "delivery.ratePerSecond=fast",
                "--set",
                "broker.type=mqtt",
                "--set",
                "nonsense=1"))
        .isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString())
        .contains("4 problem(s)")
        .contains("--set nonsense: unknown setting")
        .contains("mode: symmetric or public-key, got 'quantum'")
        .contains("delivery.ratePerSecond: expected a whole number, got 'fast'")
        .contains("broker.host: must not be empty");
  }

  @Test
  void noSubcommand_printsUsage() {
    assertThat(run()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(out.toString()).contains("Usage: e4").contains("server");
  }

  @Test
  void unknownSubcommand_isOneClearErrorLine() {
    assertThat(run("nonsense")).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString())
        .startsWith("e4: Unmatched argument")
        .endsWith("(see e4 --help)" + System.lineSeparator())
        .hasLineCount(1);
  }

  @Test
  void missingOption_isOneLineNamingTheCommandsHelp() {
    assertThat(run("device", "protect", "--topic", "t")).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString())
        .isEqualTo(
            "e4: Missing required option: '--state=FILE' (see e4 device protect --help)"
                + System.lineSeparator());
  }

  @Test
  void everyCommand_hasAnExampleInItsHelp() {
    CommandLine root = E4Command.commandLine();
    java.util.List<CommandLine> all = new java.util.ArrayList<>();
    java.util.Deque<CommandLine> pending = new java.util.ArrayDeque<>(java.util.List.of(root));
    while (!pending.isEmpty()) {
      CommandLine command = pending.pop();
      if (!command.getCommandName().equals("help")) {
        all.add(command);
      }
      pending.addAll(command.getSubcommands().values());
    }
    assertThat(all).hasSizeGreaterThanOrEqualTo(8);
    for (CommandLine command : all) {
      assertThat(command.getUsageMessage())
          .as(command.getCommandSpec().qualifiedName())
          .containsPattern("Examples?:");
    }
  }
}
