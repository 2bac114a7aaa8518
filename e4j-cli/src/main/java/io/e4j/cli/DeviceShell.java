package io.e4j.cli;

import io.e4j.cli.internal.BrokerFailure;
import io.e4j.cli.internal.KeyFiles;
import io.e4j.core.ClientStore;
import io.e4j.core.E4Client;
import io.e4j.core.E4Exception;
import io.e4j.mqtt.BrokerRefusedException;
import io.e4j.mqtt.E4Message;
import io.e4j.mqtt.E4MqttClient;
import io.e4j.mqtt.E4MqttListener;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code e4 device shell}: an interactive E4 device on a broker. */
@Command(
    name = "shell",
    mixinStandardHelpOptions = true,
    description = {
      "An interactive device: subscribe, publish protected or clear messages, and watch what"
          + " arrives, decrypted, with C2's commands applied as they come."
    },
    footer = {
      "",
      "Shell commands: subscribe FILTER [QOS] | unsubscribe FILTER |",
      "  publish TOPIC TEXT | publish-clear TOPIC TEXT | topics | whoami | help | exit",
      "",
      "Without --mqtt-version it speaks MQTT 5, or MQTT 3.1.1 to a broker that",
      "refuses MQTT 5. A broker that refuses the connection (credentials, TLS,",
      "MQTT version) or cannot be reached ends the command at once with the",
      "reason; a connection lost later is retried.",
      "",
      "--device-login logs in as the device to the broker of 'e4 server' with",
      "broker.access = devices: user name the device's hex ID, password the broker",
      "password derived from its key, taken again at each reconnection (the key",
      "changes with C2's SetIDKey). It goes without --broker-user.",
      "",
      "Examples:",
      "  e4 device shell --state meter-0042.e4 --broker mqtt://127.0.0.1:1883",
      "  e4 device shell --state meter-0042.e4 \\",
      "      --broker mqtts://broker.example:8883 --broker-ca-file ca.pem \\",
      "      --broker-user meter-0042 --broker-password-file mqtt.pw",
      "  e4 device shell --state meter-0042.e4 --device-login"
    })
final class DeviceShell implements Callable<Integer> {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final List<String> COMMANDS =
      List.of(
          "subscribe",
          "unsubscribe",
          "publish",
          "publish-clear",
          "topics",
          "whoami",
          "help",
          "exit");

  @Option(
      names = "--state",
      required = true,
      paramLabel = "FILE",
      description = "the device state file")
  private Path state;

  @Option(
      names = "--broker",
      defaultValue = "mqtt://127.0.0.1:1883",
      paramLabel = "URL",
      description = "mqtt://HOST:PORT or mqtts://HOST:PORT (default: ${DEFAULT-VALUE})")
  private String broker;

  @Option(
      names = "--mqtt-version",
      paramLabel = "5|3",
      description = "5, or 3 for MQTT 3.1.1 (default: 5, or 3.1.1 if the broker speaks only that)")
  private Integer mqttVersion;

  @Option(names = "--broker-user", paramLabel = "NAME", description = "user name at the broker")
  private String brokerUser;

  @Option(
      names = "--broker-password-file",
      paramLabel = "FILE",
      description = "the broker password (with --broker-user), in a file")
  private Path brokerPasswordFile;

  @Option(
      names = "--device-login",
      description =
          "log in as the device: user name its hex ID, password derived from its current key"
              + " (e4 server, broker.access = devices)")
  private boolean deviceLogin;

  @Option(
      names = "--broker-ca-file",
      paramLabel = "FILE",
      description = "mqtts: trust the CA certificates in this PEM file (default: the JDK's)")
  private Path brokerCaFile;

  private Console console;

  @Override
  public Integer call() throws IOException {
    URI url = brokerUrl();
    if (mqttVersion != null && mqttVersion != 3 && mqttVersion != 5) {
      throw new E4Exception(
          E4Exception.Reason.INVALID_ARGUMENT, "--mqtt-version is 5 or 3, got " + mqttVersion);
    }
    if (deviceLogin && (brokerUser != null || brokerPasswordFile != null)) {
      throw new E4Exception(
          E4Exception.Reason.INVALID_ARGUMENT,
          "--device-login logs in with the device's own ID and password: give it without"
              + " --broker-user and --broker-password-file");
    }
    if (brokerPasswordFile != null && brokerUser == null) {
      throw new E4Exception(
          E4Exception.Reason.INVALID_ARGUMENT, "--broker-password-file goes with --broker-user");
    }
    try (E4Client device = E4Client.load(ClientStore.file(state));
        Console opened =
            System.console() != null ? new InteractiveConsole() : new ScriptConsole()) {
      console = opened;
      E4MqttClient mqtt = client(device, url);
      try {
        mqtt.connect().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException | InterruptedException e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        // Connected but the control topic refused, or still trying: let go of it either way.
        mqtt.disconnect();
        throw BrokerFailure.of(e, mqttVersion, deviceLogin);
      }
      print(
          "connected to "
              + url
              + " (MQTT "
              + (mqtt.mqttVersion() == 5 ? "5" : "3.1.1")
              + ") as "
              + HexFormat.of().formatHex(device.id())
              + "; type help");
      try {
        repl(device, mqtt);
      } finally {
        mqtt.disconnect().exceptionally(failure -> null).join();
      }
    }
    return 0;
  }

  private E4MqttClient client(E4Client device, URI url) {
    E4MqttClient.Builder builder =
        E4MqttClient.builder(device)
            .host(url.getHost())
            .port(url.getPort() > 0 ? url.getPort() : url.getScheme().equals("mqtts") ? 8883 : 1883)
            .listener(new Printer());
    if (mqttVersion != null) {
      builder.mqttVersion(mqttVersion);
    }
    if (deviceLogin) {
      builder.deviceLogin();
    } else if (brokerUser != null) {
      byte[] password =
          brokerPasswordFile == null
              ? null
              : KeyFiles.readPassword(brokerPasswordFile).getBytes(StandardCharsets.UTF_8);
      builder.credentials(brokerUser, password);
      if (password != null) {
        Arrays.fill(password, (byte) 0);
      }
    }
    if (url.getScheme().equals("mqtts")) {
      if (brokerCaFile != null) {
        builder.trustStore(KeyFiles.readCertificates(brokerCaFile));
      } else {
        builder.tls();
      }
    } else if (brokerCaFile != null) {
      throw new E4Exception(
          E4Exception.Reason.INVALID_ARGUMENT, "--broker-ca-file goes with an mqtts:// broker");
    }
    return builder.build();
  }

  private void repl(E4Client device, E4MqttClient mqtt) throws IOException {
    while (true) {
      String line = console.readLine();
      if (line == null) {
        return;
      }
      String[] words = line.trim().split("\\s+", 3);
      if (words[0].isEmpty()) {
        continue;
      }
      if (words[0].equals("exit") || words[0].equals("quit")) {
        return;
      }
      try {
        execute(device, mqtt, words);
      } catch (RuntimeException e) {
        print("error: " + message(e));
      }
    }
  }

  private void execute(E4Client device, E4MqttClient mqtt, String[] words) {
    switch (words[0]) {
      case "subscribe" -> {
        String filter = argument(words, 1, "subscribe FILTER [QOS]");
        int qos = words.length > 2 ? Integer.parseInt(words[2].trim()) : 1;
        await(mqtt.subscribe(filter, qos, this::show));
        print("subscribed to " + filter);
      }
      case "unsubscribe" -> {
        String filter = argument(words, 1, "unsubscribe FILTER");
        await(mqtt.unsubscribe(filter));
        print("unsubscribed from " + filter);
      }
      case "publish" -> {
        String topic = argument(words, 1, "publish TOPIC TEXT");
        await(mqtt.publish(topic, text(words), 1, false));
        print("published (protected) on " + topic);
      }
      case "publish-clear" -> {
        String topic = argument(words, 1, "publish-clear TOPIC TEXT");
        await(mqtt.publishUnprotected(topic, text(words), 1, false));
        print("published in clear on " + topic);
      }
      case "topics" -> {
        List<byte[]> hashes = device.topicHashes();
        print(hashes.size() + " topic keys (by topic hash):");
        hashes.forEach(hash -> print("  " + HexFormat.of().formatHex(hash)));
      }
      case "whoami" -> {
        print("id            " + HexFormat.of().formatHex(device.id()));
        print("control topic " + device.controlTopic());
        print("mode          " + device.mode().description());
        if (device.mode() == E4Client.Mode.PUBLIC_KEY) {
          print("public key    " + HexFormat.of().formatHex(device.publicKey()));
        }
      }
      case "help" -> {
        print("subscribe FILTER [QOS]     receive and decrypt messages (wildcards allowed)");
        print("unsubscribe FILTER");
        print("publish TOPIC TEXT         protect TEXT with the topic's key and publish it");
        print("publish-clear TOPIC TEXT   publish TEXT unprotected");
        print("topics                     the topic keys this device holds");
        print("whoami                     device ID, control topic and mode");
        print("exit");
      }
      default -> print("unknown command " + words[0] + "; type help");
    }
  }

  private static String argument(String[] words, int index, String usage) {
    if (words.length <= index) {
      throw new IllegalArgumentException("usage: " + usage);
    }
    return words[index];
  }

  private static byte[] text(String[] words) {
    return (words.length > 2 ? words[2] : "").getBytes(StandardCharsets.UTF_8);
  }

  private void show(E4Message message) {
    print(
        "["
            + message.topic()
            + "] "
            + (message.protectedByE4() ? "ok: " : "cleartext: ")
            + printable(message.payload()));
  }

  private static String printable(byte[] payload) {
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(payload))
              .toString();
      if (text.chars().noneMatch(c -> Character.isISOControl(c) && c != '\t')) {
        return text;
      }
    } catch (CharacterCodingException binary) {
      // Shown as hex below.
    }
    return "(hex) " + HexFormat.of().formatHex(payload);
  }

  private void print(String line) {
    console.print(line);
  }

  private static String message(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof java.util.concurrent.CompletionException
            || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }

  private static void await(CompletableFuture<Void> operation) {
    operation.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
  }

  private URI brokerUrl() {
    try {
      URI url = new URI(broker);
      if (url.getHost() == null || !List.of("mqtt", "mqtts").contains(url.getScheme())) {
        throw new E4Exception(
            E4Exception.Reason.INVALID_ARGUMENT,
            "--broker takes mqtt://HOST:PORT or mqtts://HOST:PORT, got " + broker);
      }
      return url;
    } catch (URISyntaxException e) {
      throw new E4Exception(
          E4Exception.Reason.INVALID_ARGUMENT, "--broker is not a URL: " + broker);
    }
  }

  /** Where commands come from and output goes. */
  private interface Console extends AutoCloseable {
    /** The next command line, or null at the end of input. */
    String readLine() throws IOException;

    /** Prints a line; callable from any thread, also while a line is being typed. */
    void print(String line);

    @Override
    void close() throws IOException;
  }

  /** A person at a terminal: line editing, history, completion, output above the prompt. */
  private static final class InteractiveConsole implements Console {
    private final Terminal terminal;
    private final LineReader reader;

    InteractiveConsole() throws IOException {
      terminal = TerminalBuilder.builder().system(true).build();
      reader =
          LineReaderBuilder.builder()
              .terminal(terminal)
              .appName("e4")
              .completer(new StringsCompleter(COMMANDS))
              .variable(
                  LineReader.HISTORY_FILE, Path.of(System.getProperty("user.home"), ".e4_history"))
              .build();
    }

    @Override
    public String readLine() {
      while (true) {
        try {
          return reader.readLine("e4> ");
        } catch (UserInterruptException e) {
          // Ctrl-C clears the line; Ctrl-D or exit leaves.
        } catch (EndOfFileException e) {
          return null;
        }
      }
    }

    @Override
    public void print(String line) {
      reader.printAbove(line);
    }

    @Override
    public void close() throws IOException {
      terminal.close();
    }
  }

  /** A script on standard input: one command a line, plain output, no prompt. */
  private static final class ScriptConsole implements Console {
    private final BufferedReader input =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    private final PrintStream output = System.out;

    @Override
    public String readLine() throws IOException {
      return input.readLine();
    }

    @Override
    public synchronized void print(String line) {
      output.println(line);
      output.flush();
    }

    @Override
    public void close() {}
  }

  /** Prints what the connection reports, above the prompt. */
  private final class Printer implements E4MqttListener {
    @Override
    public void disconnected(Throwable cause) {
      print("disconnected: " + message(cause) + "; reconnecting");
    }

    @Override
    public void refused(BrokerRefusedException refusal) {
      print(
          "disconnected for good: "
              + BrokerFailure.of(refusal, mqttVersion, deviceLogin).getMessage()
              + "; type exit");
    }

    @Override
    public void commandApplied() {
      print("[control] C2 command applied and saved");
    }

    @Override
    public void messageRejected(String topic, E4Exception failure) {
      print("[" + topic + "] rejected: " + failure.reason() + ": " + failure.getMessage());
    }

    @Override
    public void handlerFailed(String topic, RuntimeException failure) {
      print("[" + topic + "] could not be shown: " + message(failure));
    }
  }
}
