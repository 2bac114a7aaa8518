package io.e4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.MessageOrBuilder;
import io.e4j.cli.internal.C2Connection;
import io.e4j.cli.internal.Json;
import io.e4j.cli.internal.Table;
import io.e4j.cli.internal.Target;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** What every command that talks to C2 shares: which profile, which output format. */
final class OperatorOptions {
  /** How results are printed. */
  enum Format {
    table,
    json
  }

  @Spec(Spec.Target.MIXEE)
  private CommandSpec command;

  @Option(
      names = "--profile",
      paramLabel = "NAME",
      description = "the profile saved by e4 login (default: $E4_PROFILE, else 'default')")
  private String profile;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "table",
      description = "table (for people, the default) or json (for scripts)")
  private Format format;

  Map<String, String> environment() {
    return ((E4Command) command.root().userObject()).environment();
  }

  Target target() {
    return Target.resolve(profile, environment());
  }

  C2Connection connect() {
    return C2Connection.open(target());
  }

  boolean json() {
    return format == Format.json;
  }

  PrintWriter out() {
    return command.commandLine().getOut();
  }

  PrintWriter err() {
    return command.commandLine().getErr();
  }

  /** One line for people; nothing in JSON mode, where only the document is printed. */
  void say(String line) {
    if (!json()) {
      out().println(line);
      out().flush();
    }
  }

  void print(MessageOrBuilder message) {
    out().println(Json.document(message));
    out().flush();
  }

  void print(JsonNode document) {
    out().println(Json.document(document));
    out().flush();
  }

  void print(Table table) {
    table.print(out());
  }

  /** A remark on standard error, which never mixes with the results on standard output. */
  void note(String line) {
    err().println(line);
    err().flush();
  }

  /** The response in JSON mode (an empty object for calls that return nothing), else a sentence. */
  void printOrSay(MessageOrBuilder response, String sentence) {
    if (json()) {
      print(response);
    } else {
      say(sentence);
    }
  }
}
