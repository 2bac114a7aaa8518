package io.e4j.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.e4j.mqtt.TestCertificates;
import io.e4j.server.Devices.Device;
import io.e4j.server.node.C2Server;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The zero-setup run: C2 with its embedded broker (HiveMQ CE: MQTT 3.1.1 and 5) and H2, as {@link
 * C2Server} wires them.
 */
class EmbeddedBrokerIT {
  @TempDir Path dataDirectory;

  private C2Config config(C2Config.EmbeddedMqtt broker) {
    return C2Config.defaults(dataDirectory).withApi(C2Config.Api.disabled()).withBroker(broker);
  }

  @Test
  void devicesOnTheEmbeddedBroker_mqtt5And311_followARotation() throws Exception {
    // Any free port, as broker.port=0 asks.
    C2Config config = config(new C2Config.EmbeddedMqtt("127.0.0.1", 0));
    List<Device> fleet = new ArrayList<>();
    try (C2Server server = C2Server.start(config, Clock.systemUTC(), Map.of());
        Devices five = new Devices(server.service(), server.embeddedBrokerPort().orElseThrow(), 5);
        Devices three =
            new Devices(server.service(), server.embeddedBrokerPort().orElseThrow(), 3)) {
      C2Service c2 = server.service();
      c2.createTopic("embedded/topic");
      fleet.addAll(five.createAll("embedded-v5-", 20));
      fleet.addAll(three.createAll("embedded-v3-", 20));
      Device publisher = fleet.get(0);
      for (Device device : fleet) {
        c2.link(device.ref(), "embedded/topic");
        device.subscribe("embedded/topic");
      }
      await().atMost(Devices.WAIT).until(() -> fleet.stream().allMatch(d -> d.commands.get() == 1));

      c2.rotateTopicKey("embedded/topic");

      await().atMost(Devices.WAIT).until(() -> fleet.stream().allMatch(d -> d.commands.get() == 2));
      publisher.publish("embedded/topic", "rotated".getBytes(UTF_8));
      await()
          .atMost(Devices.WAIT)
          .until(() -> fleet.stream().allMatch(d -> d.messages.size() == 1));
      assertThat(c2.undeliveredCount()).isZero();
    }
  }

  @Test
  void aTakenPort_failsTheStart_withOneConfigurationErrorNamingIt_andNoStackTrace()
      throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        LogCapture log = new LogCapture()) {
      int port = taken.getLocalPort();
      assertThatThrownBy(
              () ->
                  C2Server.start(
                      config(new C2Config.EmbeddedMqtt("127.0.0.1", port)),
                      Clock.systemUTC(),
                      Map.of()))
          .isInstanceOfSatisfying(
              C2Exception.class,
              e -> assertThat(e.reason()).isEqualTo(C2Exception.Reason.CONFIGURATION))
          .hasMessageContaining("cannot listen on 127.0.0.1:" + port);
      assertThat(log.lines()).noneMatch(line -> line.startsWith("ERROR"));
      assertThat(log.lines()).noneMatch(line -> line.contains(" | "));
    }
    // Nothing was left holding the data directory: C2 starts on it now.
    try (C2Server server =
        C2Server.start(
            config(new C2Config.EmbeddedMqtt("127.0.0.1", 0)), Clock.systemUTC(), Map.of())) {
      assertThat(server.embeddedBrokerPort()).isPresent();
    }
  }

  @Test
  void theTlsListener_servesMqttOverTls_withTheConfiguredCertificate() throws Exception {
    TestCertificates certificates = TestCertificates.create(Files.createTempDirectory("tls"));
    C2Config config =
        config(
            new C2Config.EmbeddedMqtt("127.0.0.1", 0)
                .withTls(
                    new C2Config.EmbeddedMqtt.Tls(
                        0, certificates.serverCertificate(), certificates.serverKey())));
    try (C2Server server = C2Server.start(config, Clock.systemUTC(), Map.of())) {
      int tlsPort = server.embeddedBrokerTlsPort().orElseThrow();
      assertThat(tlsPort).isNotEqualTo(server.embeddedBrokerPort().orElseThrow());
      connectOverTls(tlsPort, certificates.trustStore());
    }
  }

  @Test
  void theTlsListener_presentsTheApisCertificate_unlessConfigured() throws Exception {
    C2Config config =
        C2Config.defaults(dataDirectory)
            .withApi(C2Config.Api.onPort(0))
            .withBroker(
                new C2Config.EmbeddedMqtt("127.0.0.1", 0)
                    .withTls(new C2Config.EmbeddedMqtt.Tls(0, null, null)));
    try (C2Server server = C2Server.start(config, Clock.systemUTC(), Map.of())) {
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      try (InputStream in = Files.newInputStream(server.apiCertificate().orElseThrow())) {
        trusted.setCertificateEntry(
            "c2", CertificateFactory.getInstance("X.509").generateCertificate(in));
      }
      connectOverTls(server.embeddedBrokerTlsPort().orElseThrow(), trusted);
    }
  }

  private static void connectOverTls(int port, KeyStore trusted) throws Exception {
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    Mqtt5BlockingClient client =
        MqttClient.builder()
            .useMqttVersion5()
            .identifier("tls-probe")
            .serverHost("127.0.0.1")
            .serverPort(port)
            .sslConfig(MqttClientSslConfig.builder().trustManagerFactory(trust).build())
            .buildBlocking();
    client.connect();
    client.disconnect();
  }

  /**
   * HiveMQ logs through SLF4J and leaves the logging configuration alone: same appenders, levels,
   * filters and listeners after the broker started, and C2's lines still come through.
   */
  @Test
  void c2sLogging_isTheSame_afterTheBrokerStarted() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Thread.UncaughtExceptionHandler handler = Thread.getDefaultUncaughtExceptionHandler();
    try (LogCapture log = new LogCapture()) {
      String before = loggingState(context);
      try (C2Server server =
          C2Server.start(
              config(new C2Config.EmbeddedMqtt("127.0.0.1", 0)), Clock.systemUTC(), Map.of())) {
        assertThat(loggingState(context)).isEqualTo(before);
        assertThat(server.embeddedBrokerPort()).isPresent();
      }
      assertThat(loggingState(context)).isEqualTo(before);
      assertThat(root.getLevel()).isEqualTo(Level.WARN);
      assertThat(log.has("INFO", "io.e4j.server.node.C2Server", "C2 started")).isTrue();
      assertThat(log.has("INFO", "embedded MQTT broker listening on 127.0.0.1:")).isTrue();
      // HiveMQ's INFO lines stay below the configured WARN.
      assertThat(log.lines()).noneMatch(line -> line.startsWith("INFO com.hivemq"));
      // HiveMQ installs a handler that exits the JVM on errors it deems fatal: C2 puts its own
      // back.
      assertThat(Thread.getDefaultUncaughtExceptionHandler()).isSameAs(handler);
    }
  }

  private static String loggingState(LoggerContext context) {
    StringBuilder state = new StringBuilder();
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.iteratorForAppenders()
        .forEachRemaining(a -> state.append("appender ").append(a.getName()));
    for (ch.qos.logback.classic.Logger logger : context.getLoggerList()) {
      if (logger.getLevel() != null) {
        state.append(' ').append(logger.getName()).append('=').append(logger.getLevel());
      }
    }
    state.append(" turbo=").append(context.getTurboFilterList().size());
    state.append(" listeners=").append(context.getCopyOfListenerList().size());
    state
        .append(" jul=")
        .append(
            Collections.list(java.util.logging.LogManager.getLogManager().getLoggerNames()).size()
                    > 0
                ? java.util.logging.Logger.getLogger("").getHandlers().length
                : 0);
    return state.toString();
  }
}
