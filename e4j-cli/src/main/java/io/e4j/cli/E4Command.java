package io.e4j.cli;

import io.e4j.cli.internal.ExitCodes;
import io.e4j.cli.internal.Failure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code e4} command: one entry point for the server, device tools and operator commands. */
@Command(
    name = "e4",
    mixinStandardHelpOptions = true,
    versionProvider = E4Command.Version.class,
    description = {
      "E4 end-to-end encryption and key management for IoT publish/subscribe.",
      "",
      "Operator commands (login, status, devices, topics, link, ...) talk to C2's API as the"
          + " profile saved by e4 login (--profile NAME picks another; E4_ENDPOINT and E4_TOKEN"
          + " override it) and print tables, or JSON with -o json. Bash completion:"
          + " source <(e4 completion)."
    },
    footer = {
      "",
      "Examples:",
      "  e4 server",
      "  e4 login --endpoint https://127.0.0.1:8443 --token-file e4-data/admin.token",
      "  e4 devices create meter-0042 --key-file meter-0042.key",
      "  e4 devices provision alice --out alice.e4",
      "  e4 topics create sensors/temperature && e4 link meter-0042 sensors/temperature",
      "  e4 keygen --type symmetric --out meter-0042.key",
      "  e4 device shell --state meter-0042.e4 --broker mqtt://127.0.0.1:1883"
    },
    subcommands = {
      ServerCommand.class,
      KeygenCommand.class,
      DeviceCommand.class,
      LoginCommand.class,
      WhoAmICommand.class,
      StatusCommand.class,
      DevicesCommand.class,
      TopicsCommand.class,
      LinkCommand.class,
      UnlinkCommand.class,
      PublicKeysCommand.class,
      C2KeyCommand.class,
      EventsCommand.class,
      AuditCommand.class,
      MessageCommand.class,
      TokenCommand.class,
      CompletionCommand.class,
      CommandLine.HelpCommand.class
    })
public final class E4Command implements Callable<Integer> {
  @Spec private CommandSpec spec;

  private final Map<String, String> environment;

  E4Command(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return commandLine(System.getenv());
  }

  /**
   * The command line, reading settings from {@code environment}, with errors as one line on
   * standard error: a user's mistake never shows a stack trace. Exit status as {@link ExitCodes}.
   */
  static CommandLine commandLine(Map<String, String> environment) {
    CommandLine commandLine = new CommandLine(new E4Command(environment));
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    ServerCommand.listSettings(commandLine.getSubcommands().get("server"));
    List<String> footer =
        new ArrayList<>(List.of(commandLine.getCommandSpec().usageMessage().footer()));
    footer.add("");
    footer.addAll(ExitCodes.HELP);
    commandLine.getCommandSpec().usageMessage().footer(footer.toArray(String[]::new));
    commandLine.setExecutionExceptionHandler(
        (exception, failed, parseResult) -> {
          Failure failure = Failure.of(exception);
          failed.getErr().println("e4: " + failure.message());
          failed.getErr().flush();
          return failure.exitCode();
        });
    commandLine.setParameterExceptionHandler(
        (exception, args) -> {
          CommandLine failed = exception.getCommandLine();
          failed
              .getErr()
              .println(
                  "e4: "
                      + exception.getMessage()
                      + " (see "
                      + failed.getCommandSpec().qualifiedName()
                      + " --help)");
          failed.getErr().flush();
          return CommandLine.ExitCode.USAGE;
        });
    return commandLine;
  }

  /** The environment the commands read their settings from. */
  Map<String, String> environment() {
    return environment;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return CommandLine.ExitCode.USAGE;
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    static String current() {
      String version = E4Command.class.getPackage().getImplementationVersion();
      return version == null ? "(development build)" : version;
    }

    @Override
    public String[] getVersion() {
      return new String[] {"e4 " + current()};
    }
  }
}
