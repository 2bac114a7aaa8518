package io.e4j.server.internal.transport;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Devices' presence read from Mosquitto's log, which Mosquitto publishes on {@code $SYS} topics
 * when configured with {@code log_dest topic}, {@code log_type subscribe} and {@code log_type
 * notice}: "{@code <time>: <client> <qos> e4/<hex id>}" on {@link #SUBSCRIPTIONS} when a client
 * subscribes to a control topic, "{@code <time>: Client <client> disconnected.}" (or "closed its
 * connection", "has exceeded timeout") on {@link #NOTICES} when it leaves. Mosquitto handles one
 * packet at a time, so the subscription is in effect before C2 can read the line and answer.
 */
public final class MosquittoLog {
  /** Where Mosquitto publishes each subscription. */
  public static final String SUBSCRIPTIONS = "$SYS/broker/log/M/subscribe";

  /** Where Mosquitto publishes notices, connections and disconnections among them. */
  public static final String NOTICES = "$SYS/broker/log/N";

  private static final Pattern SUBSCRIBED =
      Pattern.compile("^\\d+: (\\S+) \\d+ e4/([0-9a-f]{32})$");
  private static final Pattern LEFT =
      Pattern.compile(
          "^\\d+: Client (\\S+) (?:disconnected|closed its connection|has exceeded timeout)"
              + ".*$");

  private final PresenceEvents events;

  /** Which device's control topic each client subscribed to; a client holds one at most here. */
  private final Map<String, byte[]> deviceOfClient = new ConcurrentHashMap<>();

  public MosquittoLog(PresenceEvents events) {
    this.events = events;
  }

  /** Reads one log line Mosquitto published on {@code topic}; ignores what it does not know. */
  public void line(String topic, byte[] payload) {
    String line = new String(payload, StandardCharsets.UTF_8).strip();
    if (SUBSCRIPTIONS.equals(topic)) {
      subscription(line)
          .ifPresent(
              seen -> {
                deviceOfClient.put(seen.client(), seen.deviceId());
                events.subscribed(seen.deviceId());
              });
    } else if (NOTICES.equals(topic)) {
      departure(line).map(deviceOfClient::remove).ifPresent(events::gone);
    }
  }

  /** A client subscribed to a device's control topic. */
  record Subscription(String client, byte[] deviceId) {}

  static Optional<Subscription> subscription(String line) {
    Matcher matcher = SUBSCRIBED.matcher(line);
    return matcher.matches()
        ? Optional.of(new Subscription(matcher.group(1), HexFormat.of().parseHex(matcher.group(2))))
        : Optional.empty();
  }

  /** The client that left, if the line says one did. */
  static Optional<String> departure(String line) {
    Matcher matcher = LEFT.matcher(line);
    return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
  }
}
