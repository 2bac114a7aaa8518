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
  void server_saysWhenItArrivesAndSucceeds() {
    assertThat(run("server")).isZero();
    assertThat(out.toString()).contains("C2 server arrives in a later release");
  }

  @Test
  void noSubcommand_printsUsage() {
    assertThat(run()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(out.toString()).contains("Usage: e4").contains("server");
  }

  @Test
  void unknownSubcommand_isOneClearErrorLine() {
    assertThat(run("nonsense")).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("Unmatched argument").doesNotContain("Exception");
  }
}
