package io.e4j.cli;

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
    description = "E4 end-to-end encryption and key management for IoT publish/subscribe.",
    footer = {
      "",
      "Examples:",
      "  e4 server",
      "  e4 keygen --type symmetric --out meter-0042.key",
      "  e4 device shell --state meter-0042.e4 --broker mqtt://127.0.0.1:1883"
    },
    subcommands = {
      ServerCommand.class,
      KeygenCommand.class,
      DeviceCommand.class,
      CommandLine.HelpCommand.class
    })
public final class E4Command implements Callable<Integer> {
  @Spec private CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * The command line, with errors as one line on standard error: a user's mistake never shows a
   * stack trace. Exit status 1 for a refused operation, 2 for a usage error.
   */
  static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new E4Command());
    ServerCommand.listSettings(commandLine.getSubcommands().get("server"));
    commandLine.setExecutionExceptionHandler(
        (exception, failed, parseResult) -> {
          failed.getErr().println("e4: " + exception.getMessage());
          return 1;
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
          return CommandLine.ExitCode.USAGE;
        });
    return commandLine;
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
