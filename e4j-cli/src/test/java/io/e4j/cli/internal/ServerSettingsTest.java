package io.e4j.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.e4j.server.C2Config;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The embedded broker's settings, as {@code e4 server} reads them. */
class ServerSettingsTest {
  private static ServerSettings.Result read(Map<String, String> flags) {
    return ServerSettings.read(null, Map.of(), flags).toConfig(Map.of());
  }

  @Test
  void theZeroSetupBroker_isOpen_onPort1883_withoutTls() {
    C2Config.Broker broker = read(Map.of()).config().broker();
    assertThat(broker).isEqualTo(new C2Config.EmbeddedMqtt("127.0.0.1", 1883));
    assertThat(((C2Config.EmbeddedMqtt) broker).access())
        .isEqualTo(C2Config.EmbeddedMqtt.Access.OPEN);
  }

  @Test
  void devicesAccess_andATlsListener_areRead_fromFlagsOrVariables() {
    C2Config.EmbeddedMqtt broker =
        (C2Config.EmbeddedMqtt)
            read(Map.of("broker.access", "devices", "broker.tlsPort", "0")).config().broker();
    assertThat(broker.access()).isEqualTo(C2Config.EmbeddedMqtt.Access.DEVICES);
    assertThat(broker.tls()).isEqualTo(new C2Config.EmbeddedMqtt.Tls(0, null, null));

    ServerSettings fromEnvironment =
        ServerSettings.read(
            null, Map.of("E4_BROKER_ACCESS", "devices", "E4_BROKER_TLSPORT", "8883"), Map.of());
    C2Config.EmbeddedMqtt same =
        (C2Config.EmbeddedMqtt) fromEnvironment.toConfig(Map.of()).config().broker();
    assertThat(same.access()).isEqualTo(C2Config.EmbeddedMqtt.Access.DEVICES);
    assertThat(same.tls().port()).isEqualTo(8883);
  }

  @Test
  void aTlsCertificate_thatCannotBeRead_isAProblem() {
    ServerSettings.Result result =
        read(
            Map.of(
                "broker.tlsPort",
                "8883",
                "broker.certificate",
                "/nonexistent/broker.pem",
                "broker.privateKey",
                "/nonexistent/broker.key"));
    // The files are checked as C2 starts: here, they do not exist.
    assertThat(result.problems())
        .containsExactly(
            "broker: cannot read /nonexistent/broker.pem",
            "broker: cannot read /nonexistent/broker.key");
  }

  @Test
  void mistakes_areListedTogether() {
    assertThat(
            read(Map.of(
                    "broker.access", "everyone",
                    "broker.certificate", "/tmp/c.pem",
                    "broker.port", "1883"))
                .problems())
        .containsExactlyInAnyOrder(
            "broker.access: open or devices, got 'everyone'",
            "broker.certificate and broker.privateKey: set broker.tlsPort too");
    assertThat(read(Map.of("broker.tlsPort", "1883")).problems())
        .containsExactly("broker.tlsPort: must differ from broker.port (1883)");
    assertThat(
            read(Map.of("broker.tlsPort", "8883", "broker.certificate", "/tmp/c.pem")).problems())
        .contains("broker.certificate and broker.privateKey: set both, or neither");
  }

  @Test
  void everyBrokerSetting_hasHelp() {
    assertThat(ServerSettings.KEYS)
        .containsKeys("broker.access", "broker.tlsPort", "broker.certificate", "broker.privateKey");
  }
}
