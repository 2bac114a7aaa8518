package io.e4j.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.e4j.api.v1.C2Grpc;
import io.e4j.api.v1.GetDeviceStatusRequest;
import io.e4j.api.v1.IssueBrokerCredentialRequest;
import io.e4j.api.v1.IssueBrokerCredentialResponse;
import io.e4j.core.ClientStore;
import io.e4j.core.E4Client;
import io.e4j.core.E4Exception;
import io.e4j.core.Keys;
import io.e4j.server.node.C2Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broker credentials issued by C2, in the embedded broker's {@code devices} access mode: a
 * reference device (Teserakt's clients cannot derive a broker password; played here by a raw HiveMQ
 * MQTT client that only opens commands with its key) logs in with the credential C2 issued it and
 * receives its topic key; a reissued or revoked credential stops working at once, and the clients
 * logged in with it are disconnected; the secret appears in no audit record, event or log line; a
 * viewer cannot issue one.
 *
 * <p>One C2 for the class: each test uses devices of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrokerCredentialIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Pattern CREDENTIAL = Pattern.compile("e4b_[0-9a-f]{64}");

  private Path dataDirectory;

  private C2Server server;
  private ApiClients api;
  private C2Grpc.C2BlockingStub operator;
  private C2Grpc.C2BlockingStub viewer;
  private String operatorToken;
  private LogCapture logs;
  private final List<RawDevice> devices = new ArrayList<>();

  @BeforeAll
  void startC2(@TempDir Path data) throws Exception {
    dataDirectory = data;
    logs = new LogCapture();
    server =
        C2Server.start(
            C2Config.defaults(dataDirectory)
                .withApi(C2Config.Api.onPort(0))
                .withBroker(
                    new C2Config.EmbeddedMqtt("127.0.0.1", 0)
                        .withAccess(C2Config.EmbeddedMqtt.Access.DEVICES)),
            Clock.systemUTC(),
            Map.of());
    api = new ApiClients(server);
    C2Grpc.C2BlockingStub admin = api.grpc(ApiClients.adminToken(dataDirectory));
    operatorToken = ApiClients.token(admin, "olga", io.e4j.api.v1.Role.OPERATOR);
    operator = api.grpc(operatorToken);
    viewer = api.grpc(ApiClients.token(admin, "dana", io.e4j.api.v1.Role.VIEWER));
  }

  @AfterEach
  void disconnectDevices() {
    devices.forEach(RawDevice::close);
    devices.clear();
  }

  @AfterAll
  void stop() {
    if (api != null) {
      api.close();
    }
    if (server != null) {
      server.close();
    }
    if (logs != null) {
      logs.close();
    }
  }

  @Test
  void referenceDeviceWithItsIssuedCredential_logsInAndReceivesItsTopicKey() throws Exception {
    C2Service c2 = server.service();
    c2.createTopic("plant/pressure");
    E4Client sensor = referenceDevice(c2, "sensor-1");
    E4Client valve = referenceDevice(c2, "valve-1");
    c2.link(DeviceRef.name("sensor-1"), "plant/pressure");
    c2.link(DeviceRef.name("valve-1"), "plant/pressure");
    String sensorCredential = issue("sensor-1");
    String valveCredential = issue("valve-1");
    assertThat(sensorCredential).matches(CREDENTIAL).isNotEqualTo(valveCredential);

    // User name: the hex ID (MQTT 5), or the device's name (MQTT 3.1.1).
    RawDevice sensorMqtt = RawDevice.v5(port(), sensor, hex(sensor), sensorCredential);
    devices.add(sensorMqtt);
    Mqtt3AsyncClient valveMqtt = v3("valve-1", "valve-1", valveCredential);
    valveMqtt
        .subscribeWith()
        .topicFilter(valve.controlTopic())
        .qos(MqttQos.EXACTLY_ONCE)
        .callback(publish -> open(valve, publish.getPayloadAsBytes()))
        .send()
        .get(10, TimeUnit.SECONDS);

    await().atMost(WAIT).until(() -> holdsCurrentKey(c2, sensor, "plant/pressure"));
    await().atMost(WAIT).until(() -> holdsCurrentKey(c2, valve, "plant/pressure"));
    valveMqtt.disconnect().get(10, TimeUnit.SECONDS);
    assertThat(c2.deviceStatus(DeviceRef.name("sensor-1"), 0).brokerCredentialIssuedAt())
        .isPresent();
  }

  @Test
  void wrongCredentials_areRefused() throws Exception {
    C2Service c2 = server.service();
    E4Client meter = referenceDevice(c2, "meter-1");
    referenceDevice(c2, "meter-2");
    String credential = issue("meter-1");
    String othersCredential = issue("meter-2");

    String guess = "e4b_" + HexFormat.of().formatHex(Keys.randomKey());
    assertThat(refusal5(hex(meter), guess))
        .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    assertThat(refusal5(hex(meter), othersCredential))
        .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    assertThat(refusal5(hex(meter), credential.substring(0, credential.length() - 1)))
        .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    assertThat(refusal5("meter-2", credential))
        .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    Throwable v3 =
        failure(
            MqttClient.builder()
                .useMqttVersion3()
                .identifier("meter-1-v3")
                .serverHost("127.0.0.1")
                .serverPort(port())
                .simpleAuth()
                .username("meter-1")
                .password(guess.getBytes(US_ASCII))
                .applySimpleAuth()
                .buildAsync()
                .connect());
    assertThat(((Mqtt3ConnAckException) v3).getMqttMessage().getReturnCode())
        .isEqualTo(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD);

    devices.add(RawDevice.v5(port(), meter, hex(meter), credential));
  }

  @Test
  void reissued_theOldCredentialIsRefusedAndItsClientDisconnected() throws Exception {
    C2Service c2 = server.service();
    E4Client pump = referenceDevice(c2, "pump-1");
    String first = issue("pump-1");
    RawDevice connected = RawDevice.v5(port(), pump, hex(pump), first);
    devices.add(connected);

    String second = issue("pump-1");

    Throwable cause = connected.disconnected.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(cause).isInstanceOf(Mqtt5DisconnectException.class);
    assertThat(((Mqtt5DisconnectException) cause).getMqttMessage().getReasonCode())
        .isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED);
    assertThat(refusal5(hex(pump), first))
        .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    devices.add(RawDevice.v5(port(), pump, "pump-1", second));
  }

  @Test
  void revoked_theCredentialIsRefusedAndItsClientDisconnected_theDerivedPasswordStaysGood()
      throws Exception {
    C2Service c2 = server.service();
    E4Client gate = referenceDevice(c2, "gate-1");
    String credential = issue("gate-1");
    RawDevice connected = RawDevice.v5(port(), gate, hex(gate), credential);
    devices.add(connected);

    c2.revokeBrokerCredential(DeviceRef.name("gate-1"));

    assertThat(connected.disconnected.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(Mqtt5DisconnectException.class);
    assertThat(refusal5(hex(gate), credential))
        .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    assertThat(c2.deviceStatus(DeviceRef.name("gate-1"), 0).brokerCredentialIssuedAt()).isEmpty();
    assertThatThrownBy(() -> c2.revokeBrokerCredential(DeviceRef.name("gate-1")))
        .isInstanceOfSatisfying(
            C2Exception.class, e -> assertThat(e.reason()).isEqualTo(C2Exception.Reason.NOT_FOUND));
    devices.add(RawDevice.v5(port(), gate, hex(gate), gate.brokerPassword()));
  }

  @Test
  void theSecret_isInNoAuditRecordEventOrLogLine_andOnlyInTheIssuingResponse() throws Exception {
    C2Service c2 = server.service();
    referenceDevice(c2, "door-1");
    String first = issue("door-1");
    String second = issue("door-1");
    BrokerCredential local = c2.issueBrokerCredential(DeviceRef.name("door-1"));
    operator.revokeBrokerCredential(
        io.e4j.api.v1.RevokeBrokerCredentialRequest.newBuilder()
            .setDevice(io.e4j.api.v1.DeviceRef.newBuilder().setName("door-1"))
            .build());
    List<String> secrets = List.of(first, second, local.secret());

    List<AuditRecord> audit = c2.audit(0, 100, Optional.empty());
    assertThat(audit)
        .filteredOn(r -> r.action().equals("IssueBrokerCredential") && r.target().equals("door-1"))
        .extracting(AuditRecord::actor, AuditRecord::target, AuditRecord::outcome)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("local", "door-1", "OK"),
            org.assertj.core.groups.Tuple.tuple("olga", "door-1", "OK"),
            org.assertj.core.groups.Tuple.tuple("olga", "door-1", "OK"));
    assertThat(audit)
        .filteredOn(r -> r.action().equals("RevokeBrokerCredential") && r.target().equals("door-1"))
        .extracting(AuditRecord::actor, AuditRecord::outcome)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("olga", "OK"));
    List<C2Event> events = c2.events(0, 1_000);
    assertThat(events)
        .filteredOn(e -> e.deviceName().equals(Optional.of("door-1")))
        .extracting(C2Event::type)
        .containsExactly(
            EventType.DEVICE_CREATED,
            EventType.BROKER_CREDENTIAL_ISSUED,
            EventType.BROKER_CREDENTIAL_ISSUED,
            EventType.BROKER_CREDENTIAL_ISSUED,
            EventType.BROKER_CREDENTIAL_REVOKED);
    for (String secret : secrets) {
      String hexPart = secret.substring(4);
      assertThat(audit).allSatisfy(r -> assertThat(r.toString()).doesNotContain(hexPart));
      assertThat(events).allSatisfy(e -> assertThat(e.toString()).doesNotContain(hexPart));
      assertThat(logs.lines()).allSatisfy(line -> assertThat(line).doesNotContain(hexPart));
    }
    assertThat(local.toString()).doesNotContain(local.secret().substring(4)).contains("hidden");
  }

  @Test
  void viewer_cannotIssue_andTheRefusalIsAudited() {
    C2Service c2 = server.service();
    referenceDevice(c2, "lamp-1");

    assertThatThrownBy(
            () ->
                viewer.issueBrokerCredential(
                    IssueBrokerCredentialRequest.newBuilder()
                        .setDevice(io.e4j.api.v1.DeviceRef.newBuilder().setName("lamp-1"))
                        .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));

    assertThat(c2.deviceStatus(DeviceRef.name("lamp-1"), 0).brokerCredentialIssuedAt()).isEmpty();
    assertThat(c2.audit(0, 100, Optional.of("dana")))
        .extracting(AuditRecord::action, AuditRecord::outcome)
        .contains(org.assertj.core.groups.Tuple.tuple("IssueBrokerCredential", "DENIED"));
  }

  @Test
  void overHttp_postIssuesDeleteRevokes_theStatusSaysWhenItWasIssued() throws Exception {
    C2Service c2 = server.service();
    E4Client fan = referenceDevice(c2, "fan-1");

    HttpResponse<String> issued =
        api.send("POST", "/v1/devices/fan-1/broker-credential", operatorToken, "{}");
    assertThat(issued.statusCode()).as(issued.body()).isEqualTo(200);
    Matcher credential = CREDENTIAL.matcher(issued.body());
    assertThat(credential.find()).as(issued.body()).isTrue();
    devices.add(RawDevice.v5(port(), fan, hex(fan), credential.group()));
    assertThat(
            operator
                .getDeviceStatus(
                    GetDeviceStatusRequest.newBuilder()
                        .setDevice(io.e4j.api.v1.DeviceRef.newBuilder().setName("fan-1"))
                        .build())
                .hasBrokerCredentialIssuedAt())
        .isTrue();

    HttpResponse<String> revoked =
        api.send("DELETE", "/v1/devices/fan-1/broker-credential", operatorToken, null);
    assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
    assertThat(refusal5(hex(fan), credential.group()))
        .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    HttpResponse<String> again =
        api.send("DELETE", "/v1/devices/fan-1/broker-credential", operatorToken, null);
    assertThat(again.statusCode()).as(again.body()).isEqualTo(404);
  }

  @Test
  void aRemovedDevice_takesItsCredentialWithIt() throws Exception {
    C2Service c2 = server.service();
    referenceDevice(c2, "tap-1");
    String credential = issue("tap-1");

    c2.removeDevice(DeviceRef.name("tap-1"));
    E4Client again = referenceDevice(c2, "tap-1");

    assertThat(c2.deviceStatus(DeviceRef.name("tap-1"), 0).brokerCredentialIssuedAt()).isEmpty();
    assertThat(refusal5(hex(again), credential))
        .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
  }

  // --- helpers ----------------------------------------------------------------------------------

  /** Issues a credential over gRPC, as the operator. */
  private String issue(String name) {
    IssueBrokerCredentialResponse response =
        operator.issueBrokerCredential(
            IssueBrokerCredentialRequest.newBuilder()
                .setDevice(io.e4j.api.v1.DeviceRef.newBuilder().setName(name))
                .build());
    assertThat(response.getDevice().getName()).isEqualTo(name);
    assertThat(response.hasIssuedAt()).isTrue();
    return response.getCredential();
  }

  /** A device created with a key of its own, held by an E4 client in memory (SK mode). */
  private static E4Client referenceDevice(C2Service c2, String name) {
    byte[] key = Keys.randomKey();
    c2.createDevice(NewDevice.of(DeviceRef.name(name), new DeviceCredential.SymmetricKey(key)));
    return E4Client.builder().name(name).key(key).store(ClientStore.memory()).build();
  }

  private int port() {
    return server.embeddedBrokerPort().orElseThrow();
  }

  private static String hex(E4Client device) {
    return HexFormat.of().formatHex(device.id());
  }

  /** Whether the device opens what C2 protects under the topic's current key now. */
  private static boolean holdsCurrentKey(C2Service c2, E4Client device, String topic) {
    byte[] payload = ("current key at " + System.nanoTime()).getBytes(US_ASCII);
    try {
      return device
          .unprotect(topic, c2.protectMessage(topic, payload))
          .map(opened -> java.util.Arrays.equals(opened, payload))
          .orElse(false);
    } catch (E4Exception e) {
      return false;
    }
  }

  private static void open(E4Client device, byte[] command) {
    try {
      device.unprotect(device.controlTopic(), command);
    } catch (E4Exception e) {
      // Not a command for it; the test fails on the key it does not get.
    }
  }

  private Mqtt3AsyncClient v3(String clientId, String username, String password) throws Exception {
    Mqtt3AsyncClient client =
        MqttClient.builder()
            .useMqttVersion3()
            .identifier(clientId)
            .serverHost("127.0.0.1")
            .serverPort(port())
            .simpleAuth()
            .username(username)
            .password(password.getBytes(US_ASCII))
            .applySimpleAuth()
            .buildAsync();
    client.connectWith().cleanSession(true).send().get(10, TimeUnit.SECONDS);
    return client;
  }

  private Mqtt5ConnAckReasonCode refusal5(String username, String password) {
    Throwable refused =
        failure(
            MqttClient.builder()
                .useMqttVersion5()
                .identifier("refused-" + System.nanoTime())
                .serverHost("127.0.0.1")
                .serverPort(port())
                .simpleAuth()
                .username(username)
                .password(password.getBytes(US_ASCII))
                .applySimpleAuth()
                .buildAsync()
                .connect());
    return ((Mqtt5ConnAckException) refused).getMqttMessage().getReasonCode();
  }

  private static Throwable failure(CompletableFuture<?> connect) {
    try {
      connect.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("no answer to CONNECT", e);
    }
    throw new AssertionError("the broker let the client in");
  }

  /**
   * A reference device on MQTT 5: connects on a clean session, subscribes to its control topic and
   * applies what arrives; records why it was disconnected.
   */
  private static final class RawDevice implements AutoCloseable {
    final Mqtt5AsyncClient client;
    final CompletableFuture<Throwable> disconnected;

    private RawDevice(Mqtt5AsyncClient client, CompletableFuture<Throwable> disconnected) {
      this.client = client;
      this.disconnected = disconnected;
    }

    static RawDevice v5(int port, E4Client keys, String username, String password)
        throws Exception {
      CompletableFuture<Throwable> disconnected = new CompletableFuture<>();
      Mqtt5AsyncClient client =
          MqttClient.builder()
              .useMqttVersion5()
              .identifier(keys.controlTopic().replace('/', '-') + "-" + System.nanoTime())
              .serverHost("127.0.0.1")
              .serverPort(port)
              .simpleAuth()
              .username(username)
              .password(password.getBytes(US_ASCII))
              .applySimpleAuth()
              .addDisconnectedListener(context -> disconnected.complete(context.getCause()))
              .buildAsync();
      RawDevice device = new RawDevice(client, disconnected);
      client.publishes(
          MqttGlobalPublishFilter.ALL, publish -> open(keys, publish.getPayloadAsBytes()));
      client.connectWith().cleanStart(true).send().get(10, TimeUnit.SECONDS);
      client
          .subscribeWith()
          .topicFilter(keys.controlTopic())
          .qos(MqttQos.EXACTLY_ONCE)
          .send()
          .get(10, TimeUnit.SECONDS);
      return device;
    }

    @Override
    public void close() {
      client.disconnect().exceptionally(e -> null).orTimeout(5, TimeUnit.SECONDS).join();
    }
  }
}
