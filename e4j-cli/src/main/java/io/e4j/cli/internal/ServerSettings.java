package io.e4j.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.e4j.server.C2Config;
import io.e4j.server.CryptoMode;
import io.e4j.server.KekSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's settings, from (lowest to highest precedence) the defaults, a YAML file, {@code
 * E4_*} environment variables and {@code --set key=value} flags. Every setting has a dotted key
 * ({@code database.url}); its variable is {@code E4_} and the key in upper case with dots as
 * underscores ({@code E4_DATABASE_URL}). Every problem is reported at once.
 */
public final class ServerSettings {
  /** Every key, with a one-line description for {@code e4 server --help}. */
  public static final Map<String, String> KEYS = keys();

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private final Map<String, String> values;
  private final List<String> problems;

  private ServerSettings(Map<String, String> values, List<String> problems) {
    this.values = values;
    this.problems = problems;
  }

  private static Map<String, String> keys() {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("dataDirectory", "where H2, the KEK file and the embedded broker keep their files");
    keys.put("mode", "symmetric (default) or public-key; fixed when the store is created");
    keys.put("log.format", "text (default) or json");
    keys.put("database.url", "JDBC URL; empty: H2 in the data directory");
    keys.put("database.user", "database user");
    keys.put("database.password", "database password");
    keys.put("database.passwordEnv", "environment variable holding the database password");
    keys.put("database.poolSize", "connections (default 10)");
    keys.put("kek.file", "KEK file (32 bytes, base64); default <dataDirectory>/kek.key");
    keys.put("kek.env", "environment variable holding the KEK (32 bytes, base64)");
    keys.put("kek.passphraseEnv", "environment variable holding a KEK passphrase (Argon2id)");
    keys.put("broker.type", "embedded (default), mqtt or kafka");
    keys.put("broker.host", "MQTT host (embedded: address to listen on, default 127.0.0.1)");
    keys.put("broker.port", "MQTT port (default 1883; 8883 with TLS; embedded: 0 = any free)");
    keys.put(
        "broker.access",
        "embedded: open (default; anyone connects, only C2 publishes on e4/...) or devices");
    keys.put("broker.tlsPort", "embedded: also serve MQTT over TLS on this port (0 = any free)");
    keys.put("broker.certificate", "embedded TLS: PEM certificate chain; default: the API's");
    keys.put("broker.privateKey", "embedded TLS: its PEM private key (unencrypted)");
    keys.put("broker.tls", "true: MQTT over TLS");
    keys.put("broker.trustStore", "PKCS#12 or JKS file of trusted CA certificates");
    keys.put("broker.trustStorePassword", "its password");
    keys.put("broker.username", "MQTT user name");
    keys.put("broker.password", "MQTT password");
    keys.put("broker.passwordEnv", "environment variable holding the MQTT password");
    keys.put("broker.mqttVersion", "3 (MQTT 3.1.1) or 5 (default)");
    keys.put("broker.clientId", "MQTT client identifier (default e4j-c2)");
    keys.put(
        "broker.presence",
        "how C2 learns that devices subscribe: none (default) or mosquitto-log (Mosquitto with"
            + " log_dest topic, log_type subscribe and notice)");
    keys.put("broker.bootstrapServers", "Kafka bootstrap servers");
    keys.put("broker.controlTopic", "Kafka topic for commands (default e4.control)");
    keys.put("broker.kafka.*", "any Kafka producer property, e.g. broker.kafka.security.protocol");
    keys.put("api.enabled", "true (default): serve the API (gRPC, HTTP/JSON); false: no API");
    keys.put("api.host", "address the API listens on (default 127.0.0.1)");
    keys.put("api.port", "API port (default 8443)");
    keys.put("api.certificate", "PEM certificate chain; default: self-signed, generated");
    keys.put("api.privateKey", "its PEM private key (PKCS#8)");
    keys.put("api.clientCa", "PEM CA certificates: clients must present a certificate (mTLS)");
    keys.put("delivery.batchSize", "commands read from the outbox at a time (default 1000)");
    keys.put("delivery.maxInFlight", "commands awaiting acknowledgement at most (default 4000)");
    keys.put("delivery.ratePerSecond", "commands sent per second at most; 0: unlimited");
    keys.put("delivery.ackTimeout", "wait for an acknowledgement before retrying (default 30s)");
    keys.put("delivery.retryMin", "first retry delay, doubling (default 1s)");
    keys.put("delivery.retryMax", "longest retry delay (default 60s)");
    keys.put("delivery.retention", "how long sent commands stay listed (default 7d)");
    keys.put(
        "delivery.staleAfter",
        "a reporting device not on a linked topic's current key this long is stale (default 15m)");
    return java.util.Collections.unmodifiableMap(keys);
  }

  /**
   * Reads the settings.
   *
   * @param yaml the configuration file, or {@code null}
   * @param environment the process environment ({@code E4_*} variables are read)
   * @param flags {@code key=value} overrides from the command line
   */
  public static ServerSettings read(
      Path yaml, Map<String, String> environment, Map<String, String> flags) {
    Map<String, String> values = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    if (yaml != null) {
      readYaml(yaml, values, problems);
    }
    for (Map.Entry<String, String> variable : environment.entrySet()) {
      String key = keyOfVariable(variable.getKey());
      if (key != null) {
        values.put(key, variable.getValue());
      }
    }
    for (Map.Entry<String, String> flag : flags.entrySet()) {
      if (known(flag.getKey())) {
        values.put(flag.getKey(), flag.getValue());
      } else {
        problems.add("--set " + flag.getKey() + ": unknown setting");
      }
    }
    return new ServerSettings(values, problems);
  }

  private static void readYaml(Path file, Map<String, String> values, List<String> problems) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      problems.add(file + ": " + e.getMessage().lines().findFirst().orElse("unreadable"));
      return;
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return;
    }
    if (!root.isObject()) {
      problems.add(file + ": expected a mapping of settings at the top level");
      return;
    }
    flatten("", root, values, problems, file);
  }

  private static void flatten(
      String prefix, JsonNode node, Map<String, String> values, List<String> problems, Path file) {
    for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      String key = prefix + field.getKey();
      JsonNode value = field.getValue();
      if (value.isObject()) {
        flatten(key + ".", value, values, problems, file);
      } else if (!known(key)) {
        problems.add(file + ": unknown setting '" + key + "'");
      } else if (value.isContainerNode()) {
        problems.add(file + ": '" + key + "' must be a single value");
      } else {
        values.put(key, value.isNull() ? "" : value.asText());
      }
    }
  }

  private static boolean known(String key) {
    return KEYS.containsKey(key) || (key.startsWith("broker.kafka.") && key.length() > 13);
  }

  /** {@code E4_DATABASE_URL} to {@code database.url}; {@code null} for other variables. */
  private static String keyOfVariable(String variable) {
    if (!variable.startsWith("E4_")) {
      return null;
    }
    for (String key : KEYS.keySet()) {
      if (!key.endsWith("*") && variable.equals(variableOf(key))) {
        return key;
      }
    }
    return null;
  }

  public static String variableOf(String key) {
    return "E4_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  public String logFormat() {
    return values.getOrDefault("log.format", "text");
  }

  /**
   * The server configuration, or every problem found on the way.
   *
   * @param environment where {@code *Env} settings are looked up
   */
  public Result toConfig(Map<String, String> environment) {
    List<String> found = new ArrayList<>(problems);
    Path dataDirectory = Path.of(text("dataDirectory", "e4-data"));
    CryptoMode mode =
        switch (text("mode", "symmetric")) {
          case "symmetric", "symmetric-key", "sk" -> CryptoMode.SYMMETRIC_KEY;
          case "public-key", "pk" -> CryptoMode.PUBLIC_KEY;
          default -> {
            found.add("mode: symmetric or public-key, got '" + values.get("mode") + "'");
            yield CryptoMode.SYMMETRIC_KEY;
          }
        };
    if (!List.of("text", "json").contains(logFormat())) {
      found.add("log.format: text or json, got '" + logFormat() + "'");
    }
    C2Config.Database database =
        new C2Config.Database(
            text("database.url", ""),
            text("database.user", ""),
            secret("database.password", "database.passwordEnv", environment, found),
            integer("database.poolSize", 10, found));
    KekSource kek = kek(found);
    C2Config.Broker broker = broker(found, environment);
    C2Config.Delivery defaults = C2Config.Delivery.defaults();
    C2Config.Delivery delivery =
        new C2Config.Delivery(
            integer("delivery.batchSize", defaults.batchSize(), found),
            integer("delivery.maxInFlight", defaults.maxInFlight(), found),
            integer("delivery.ratePerSecond", defaults.ratePerSecond(), found),
            duration("delivery.ackTimeout", defaults.ackTimeout(), found),
            duration("delivery.retryMin", defaults.retryMin(), found),
            duration("delivery.retryMax", defaults.retryMax(), found),
            duration("delivery.retention", defaults.retention(), found),
            duration("delivery.staleAfter", defaults.staleAfter(), found));
    C2Config config =
        new C2Config(dataDirectory, mode, database, kek, broker, delivery, api(found));
    found.addAll(config.problems());
    return new Result(found.isEmpty() ? config : null, found);
  }

  /** A configuration, or the problems that prevent one. */
  public record Result(C2Config config, List<String> problems) {}

  private C2Config.Api api(List<String> found) {
    return new C2Config.Api(
        !values.containsKey("api.enabled") || bool("api.enabled", found),
        text("api.host", "127.0.0.1"),
        integer("api.port", 8443, found),
        path("api.certificate"),
        path("api.privateKey"),
        path("api.clientCa"));
  }

  private Path path(String key) {
    return values.containsKey(key) ? Path.of(values.get(key)) : null;
  }

  private KekSource kek(List<String> found) {
    List<KekSource> sources = new ArrayList<>();
    if (!text("kek.file", "").isEmpty()) {
      sources.add(new KekSource.KeyFile(Path.of(values.get("kek.file"))));
    }
    if (!text("kek.env", "").isEmpty()) {
      sources.add(new KekSource.KeyEnvironment(values.get("kek.env")));
    }
    if (!text("kek.passphraseEnv", "").isEmpty()) {
      sources.add(new KekSource.PassphraseEnvironment(values.get("kek.passphraseEnv")));
    }
    if (sources.size() > 1) {
      found.add("kek: set one of kek.file, kek.env and kek.passphraseEnv, not several");
    }
    return sources.isEmpty() ? null : sources.get(0);
  }

  private C2Config.Broker broker(List<String> found, Map<String, String> environment) {
    String type = text("broker.type", "embedded");
    switch (type) {
      case "embedded":
        return embedded(found);
      case "mqtt":
        boolean tls = bool("broker.tls", found);
        String username = text("broker.username", "");
        String password = secret("broker.password", "broker.passwordEnv", environment, found);
        return new C2Config.Mqtt(
            text("broker.host", ""),
            integer("broker.port", tls ? 8883 : 1883, found),
            tls,
            values.containsKey("broker.trustStore")
                ? Path.of(values.get("broker.trustStore"))
                : null,
            values.get("broker.trustStorePassword"),
            username.isEmpty() ? null : username,
            password.isEmpty() ? null : password,
            integer("broker.mqttVersion", 5, found),
            text("broker.clientId", "e4j-c2"),
            presence(found));
      case "kafka":
        Map<String, String> properties = new TreeMap<>();
        values.forEach(
            (key, value) -> {
              if (key.startsWith("broker.kafka.")) {
                properties.put(key.substring("broker.kafka.".length()), value);
              }
            });
        return new C2Config.Kafka(
            text("broker.bootstrapServers", ""),
            text("broker.controlTopic", "e4.control"),
            properties);
      default:
        found.add("broker.type: embedded, mqtt or kafka, got '" + type + "'");
        return new C2Config.EmbeddedMqtt("127.0.0.1", 1883);
    }
  }

  private C2Config.PresenceSource presence(List<String> found) {
    String source = text("broker.presence", "none");
    switch (source) {
      case "none":
        return C2Config.PresenceSource.NONE;
      case "mosquitto-log":
        return C2Config.PresenceSource.MOSQUITTO_LOG;
      default:
        found.add("broker.presence: none or mosquitto-log, got '" + source + "'");
        return C2Config.PresenceSource.NONE;
    }
  }

  private C2Config.EmbeddedMqtt embedded(List<String> found) {
    C2Config.EmbeddedMqtt.Access access =
        switch (text("broker.access", "open")) {
          case "open" -> C2Config.EmbeddedMqtt.Access.OPEN;
          case "devices" -> C2Config.EmbeddedMqtt.Access.DEVICES;
          default -> {
            found.add("broker.access: open or devices, got '" + values.get("broker.access") + "'");
            yield C2Config.EmbeddedMqtt.Access.OPEN;
          }
        };
    C2Config.EmbeddedMqtt.Tls tls = null;
    if (!text("broker.tlsPort", "").isEmpty()) {
      tls =
          new C2Config.EmbeddedMqtt.Tls(
              integer("broker.tlsPort", 8883, found),
              path("broker.certificate"),
              path("broker.privateKey"));
    } else if (values.containsKey("broker.certificate")
        || values.containsKey("broker.privateKey")) {
      found.add("broker.certificate and broker.privateKey: set broker.tlsPort too");
    }
    return new C2Config.EmbeddedMqtt(
        text("broker.host", "127.0.0.1"), integer("broker.port", 1883, found), access, tls);
  }

  private String text(String key, String fallback) {
    String value = values.get(key);
    return value == null || value.isBlank() ? fallback : value.strip();
  }

  private String secret(
      String key, String envKey, Map<String, String> environment, List<String> found) {
    String variable = text(envKey, "");
    if (variable.isEmpty()) {
      return text(key, "");
    }
    String value = environment.get(variable);
    if (value == null) {
      found.add(envKey + ": environment variable " + variable + " is not set");
      return "";
    }
    return value;
  }

  private int integer(String key, int fallback, List<String> found) {
    String value = text(key, "");
    if (value.isEmpty()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      found.add(key + ": expected a whole number, got '" + value + "'");
      return fallback;
    }
  }

  private boolean bool(String key, List<String> found) {
    String value = text(key, "false");
    if (!value.equals("true") && !value.equals("false")) {
      found.add(key + ": expected true or false, got '" + value + "'");
    }
    return value.equals("true");
  }

  /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d} or ISO-8601 ({@code PT30S}). */
  private Duration duration(String key, Duration fallback, List<String> found) {
    String value = text(key, "");
    if (value.isEmpty()) {
      return fallback;
    }
    Matcher shortForm = DURATION.matcher(value);
    if (shortForm.matches()) {
      long amount = Long.parseLong(shortForm.group(1));
      return switch (shortForm.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
    }
    try {
      return Duration.parse(value);
    } catch (DateTimeParseException e) {
      found.add(key + ": expected a duration such as 30s, 5m or 7d, got '" + value + "'");
      return fallback;
    }
  }
}
