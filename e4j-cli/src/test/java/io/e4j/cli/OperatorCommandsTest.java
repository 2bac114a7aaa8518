package io.e4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What the operator commands decide before they reach any server. */
class OperatorCommandsTest {
  @TempDir Path directory;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine command =
        E4Command.commandLine(Map.of("E4_CONFIG_DIR", directory.resolve("config").toString()));
    command.setOut(new PrintWriter(out));
    command.setErr(new PrintWriter(err));
    return command.execute(args);
  }

  @Test
  void notLoggedIn_isExitFive_andSaysHow() {
    assertThat(run("devices", "list")).isEqualTo(5);
    assertThat(err.toString())
        .startsWith("e4: no profile 'default' in ")
        .contains("run e4 login --endpoint URL --token-file FILE first")
        .hasLineCount(1);
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void badDeviceArguments_areUsageErrors() {
    assertThat(run("devices", "show", "id:1234")).isEqualTo(2);
    assertThat(err.toString())
        .contains("is not a device ID")
        .contains("(see e4 devices show --help)");
    assertThat(run("devices", "create", "meter-1", "--key", "00ff")).isEqualTo(2);
    assertThat(err.toString()).contains("--key: expected 64 hex digits");
    assertThat(run("devices", "create", "meter-1")).isEqualTo(2);
    assertThat(run("devices", "create", "meter-1", "--key", "00", "--generate")).isEqualTo(2);
    assertThat(run("devices", "list", "--all", "--page-token", "x")).isEqualTo(2);
    assertThat(run("devices", "list", "--page-size", "5000")).isEqualTo(2);
    assertThat(run("link", "meter-1")).isEqualTo(2);
    assertThat(err.toString()).contains("give DEVICE TOPIC, or --topic TOPIC --devices-file FILE");
    assertThat(run("token", "create", "--name", "x", "--role", "superuser")).isEqualTo(2);
  }

  @Test
  void import_withGeneratedKeys_needsKeysOut_beforeAnythingIsSent() throws IOException {
    Path csv = directory.resolve("fleet.csv");
    Files.writeString(csv, "name\nmeter-1\n");
    assertThat(run("devices", "import", csv.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("add --keys-out FILE to keep them");
    assertThat(Files.exists(directory.resolve("fleet.csv.e4progress"))).isFalse();
  }

  @Test
  void import_aBadHeader_isNamedByFileAndLine() throws IOException {
    Path csv = directory.resolve("fleet.csv");
    Files.writeString(csv, "nom,key\n");
    assertThat(run("devices", "import", csv.toString())).isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo(
            "e4: "
                + csv
                + ":1: unknown column 'nom'"
                + " (the columns are name, id, and one of key, password, public_key)"
                + System.lineSeparator());
  }

  @Test
  void c2keyRotate_withoutATerminal_needsYes() {
    assertThat(run("c2key", "rotate")).isEqualTo(1);
    assertThat(err.toString()).contains("confirm with --yes");
  }

  @Test
  void login_refusesABadFingerprint_andAMissingTokenFile_savingNothing() throws IOException {
    Path token = directory.resolve("admin.token");
    assertThat(run("login", "--endpoint", "https://127.0.0.1:1", "--token-file", token.toString()))
        .isEqualTo(5);
    assertThat(err.toString()).contains("cannot read the token file");
    Files.writeString(token, "t");
    assertThat(
            run(
                "login",
                "--endpoint",
                "https://127.0.0.1:1",
                "--token-file",
                token.toString(),
                "--fingerprint",
                "12:34"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("is not a SHA-256 fingerprint");
    assertThat(run("login", "--endpoint", "ftp://x", "--token-file", token.toString()))
        .isEqualTo(2);
    assertThat(Files.exists(directory.resolve("config"))).isFalse();
  }

  @Test
  void login_toNothingListening_isExitSix() throws IOException {
    Path token = directory.resolve("admin.token");
    Files.writeString(token, "t");
    assertThat(run("login", "--endpoint", "https://127.0.0.1:1", "--token-file", token.toString()))
        .isEqualTo(6);
    assertThat(err.toString())
        .contains("e4: warning: " + token + " is readable by other users; chmod 600 " + token)
        .contains(
            "e4: cannot fetch the TLS certificate of https://127.0.0.1:1: Connection refused");
  }

  @Test
  void completion_isABashScriptCoveringTheOperatorCommands() {
    assertThat(run("completion")).isZero();
    assertThat(out.toString())
        .contains("complete -F _complete_e4")
        .contains("devices")
        .contains("import")
        .contains("--page-token");
  }

  @Test
  void help_documentsTheExitCodes() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString())
        .contains("Exit status:")
        .contains("3  not found")
        .contains("6  server unreachable");
  }
}
