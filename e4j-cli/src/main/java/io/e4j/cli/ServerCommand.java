package io.e4j.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import io.e4j.cli.internal.ServerSettings;
import io.e4j.server.C2Config;
import io.e4j.server.KekSource;
import io.e4j.server.Role;
import io.e4j.server.node.C2Server;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code e4 server}: runs C2; {@code e4 server rekey} moves its key store to a new KEK. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = {
      "Run the C2 key server. With no configuration: data in ./e4-data, H2, an embedded MQTT"
          + " broker on 127.0.0.1:1883, symmetric-key mode, and a KEK file generated on first"
          + " start.",
      "",
      "Settings come from --config (YAML), then E4_* environment variables (database.url is"
          + " E4_DATABASE_URL), then --set key=value; see --help for every key."
    },
    footer = {
      "",
      "Examples:",
      "  e4 server",
      "  e4 server --config /etc/e4/c2.yaml --log-format json",
      "  e4 server --set broker.access=devices --set broker.tlsPort=8883",
      "  e4 server --set broker.type=mqtt --set broker.host=broker.example --set broker.tls=true",
    },
    subcommands = {ServerCommand.Rekey.class, ServerCommand.Token.class})
final class ServerCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      scope = ScopeType.INHERIT,
      names = "--config",
      paramLabel = "FILE",
      description = "YAML configuration file")
  Path config;

  @Option(
      scope = ScopeType.INHERIT,
      names = "--data-dir",
      paramLabel = "DIR",
      description = "data directory (dataDirectory)")
  Path dataDirectory;

  @Option(
      scope = ScopeType.INHERIT,
      names = "--mode",
      paramLabel = "MODE",
      description = "symmetric or public-key (mode); fixed when the store is created")
  String mode;

  @Option(
      scope = ScopeType.INHERIT,
      names = "--log-format",
      paramLabel = "FORMAT",
      description = "text or json (log.format)")
  String logFormat;

  @Option(
      scope = ScopeType.INHERIT,
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "any setting, e.g. --set delivery.ratePerSecond=500 (repeatable)")
  Map<String, String> overrides = new LinkedHashMap<>();

  private final Map<String, String> environment;

  ServerCommand() {
    this(System.getenv());
  }

  ServerCommand(Map<String, String> environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() throws InterruptedException {
    C2Config c2Config = configuration();
    if (c2Config == null) {
      return CommandLine.ExitCode.USAGE;
    }
    C2Server server = C2Server.start(c2Config, Clock.systemUTC(), environment);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "e4j-shutdown"));
    stopped.await();
    return CommandLine.ExitCode.OK;
  }

  /** Appends every setting, with its environment variable, to the help's footer. */
  static void listSettings(CommandLine server) {
    List<String> footer = new ArrayList<>(List.of(server.getCommandSpec().usageMessage().footer()));
    footer.add("");
    footer.add("Settings (YAML key, or E4_<KEY> variable, or --set key=value):");
    ServerSettings.KEYS.forEach(
        (key, description) -> footer.add(String.format("  %-26s %s", key, description)));
    server.getCommandSpec().usageMessage().footer(footer.toArray(String[]::new));
  }

  /** The configuration, or {@code null} after listing every problem on standard error. */
  C2Config configuration() {
    Map<String, String> flags = new LinkedHashMap<>(overrides);
    if (dataDirectory != null) {
      flags.put("dataDirectory", dataDirectory.toString());
    }
    if (mode != null) {
      flags.put("mode", mode);
    }
    if (logFormat != null) {
      flags.put("log.format", logFormat);
    }
    ServerSettings settings = ServerSettings.read(config, environment, flags);
    ServerSettings.Result result = settings.toConfig(environment);
    if (!result.problems().isEmpty()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("e4: the server configuration has " + result.problems().size() + " problem(s):");
      result.problems().forEach(problem -> err.println("  - " + problem));
      err.flush();
      return null;
    }
    if (settings.logFormat().equals("json")) {
      useJsonLogs();
    }
    return result.config();
  }

  private static void useJsonLogs() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(ServerCommand.class.getResource("/e4-logback-json.xml"));
    } catch (JoranException e) {
      throw new IllegalStateException("the JSON log configuration is broken", e);
    }
  }

  /** {@code e4 server rekey}: re-encrypts every key in the store under a new KEK. */
  @Command(
      name = "rekey",
      mixinStandardHelpOptions = true,
      description = {
        "Re-encrypt every key in the key store under a new key-encryption key (KEK).",
        "Reads the same settings as e4 server for the store and the current KEK. Servers on a"
            + " shared PostgreSQL keep running: they pick up the new data key within the grace"
            + " period; restart them with the new KEK afterwards. An H2 store is one process's:"
            + " stop that server first."
      },
      footer = {
        "",
        "Examples:",
        "  e4 server rekey --new-kek-file /etc/e4/kek-2026.key",
        "  E4_NEW_PASSPHRASE=... e4 server rekey --config c2.yaml"
            + " --new-kek-passphrase-env E4_NEW_PASSPHRASE"
      })
  static final class Rekey implements Callable<Integer> {
    @CommandLine.ParentCommand private ServerCommand server;
    @Spec private CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    NewKek newKek;

    static final class NewKek {
      @Option(
          names = "--new-kek-file",
          paramLabel = "FILE",
          description = "the new KEK file; created (owner-only) if it does not exist")
      Path file;

      @Option(
          names = "--new-kek-env",
          paramLabel = "VARIABLE",
          description = "environment variable holding the new KEK (32 bytes, base64)")
      String variable;

      @Option(
          names = "--new-kek-passphrase-env",
          paramLabel = "VARIABLE",
          description = "environment variable holding the new KEK passphrase")
      String passphraseVariable;
    }

    @Option(
        names = "--grace",
        paramLabel = "SECONDS",
        defaultValue = "15",
        description = "how long running servers get to pick up the new data key (default 15)")
    long graceSeconds;

    @Override
    public Integer call() {
      C2Config config = server.configuration();
      if (config == null) {
        return CommandLine.ExitCode.USAGE;
      }
      KekSource target;
      if (newKek.file != null) {
        if (!newKek.file.toFile().exists()) {
          C2Server.generateKekFile(newKek.file, new java.security.SecureRandom());
        }
        target = new KekSource.KeyFile(newKek.file);
      } else if (newKek.variable != null) {
        target = new KekSource.KeyEnvironment(newKek.variable);
      } else {
        target = new KekSource.PassphraseEnvironment(newKek.passphraseVariable);
      }
      PrintWriter out = spec.commandLine().getOut();
      long resealed =
          C2Server.rekey(
              config,
              target,
              Duration.ofSeconds(graceSeconds),
              Clock.systemUTC(),
              server.environment,
              message -> {
                out.println(message);
                out.flush();
              });
      out.println(
          "done: "
              + resealed
              + " keys re-encrypted. Start servers with the new KEK from now on: "
              + target);
      out.flush();
      return CommandLine.ExitCode.OK;
    }
  }

  /** {@code e4 server token}: API tokens, made on the store itself (no running server needed). */
  @Command(
      name = "token",
      mixinStandardHelpOptions = true,
      description = {
        "Manage the API's tokens directly in the key store: for the first tokens, or when no"
            + " admin token is left. Reads the same settings as e4 server. An H2 store is one"
            + " process's: stop that server first (or use e4 token create over the API)."
      },
      footer = {"", "Examples:", "  e4 server token create --role viewer --name dashboards"},
      subcommands = {Token.Create.class})
  static final class Token {
    @CommandLine.ParentCommand private ServerCommand server;

    /** {@code e4 server token create}: prints a new token once. */
    @Command(
        name = "create",
        mixinStandardHelpOptions = true,
        description = {
          "Create an API token and print it, once: C2 keeps only its hash. Roles: viewer (reads),"
              + " operator (devices, topics, links, rotation, public keys), admin (everything)."
        },
        footer = {
          "",
          "Examples:",
          "  e4 server token create --role operator --name alice > alice.token",
          "  e4 server token create --role admin --name break-glass --config /etc/e4/c2.yaml"
        })
    static final class Create implements Callable<Integer> {
      @CommandLine.ParentCommand private Token token;
      @Spec private CommandSpec spec;

      @Option(
          names = "--role",
          required = true,
          paramLabel = "ROLE",
          description = "viewer, operator or admin")
      String role;

      @Option(
          names = "--name",
          required = true,
          paramLabel = "NAME",
          description = "who or what uses it (1 to 64 letters, digits and . _ @ -)")
      String name;

      @Override
      public Integer call() {
        Role parsed;
        try {
          parsed = Role.valueOf(role.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw new CommandLine.ParameterException(
              spec.commandLine(), "--role: viewer, operator or admin, not '" + role + "'");
        }
        C2Config config = token.server.configuration();
        if (config == null) {
          return CommandLine.ExitCode.USAGE;
        }
        String created = C2Server.createToken(config, name, parsed, Clock.systemUTC());
        PrintWriter out = spec.commandLine().getOut();
        out.println(created);
        out.flush();
        return CommandLine.ExitCode.OK;
      }
    }
  }
}
