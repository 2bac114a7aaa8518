package io.e4j.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.e4j.api.v1.CreateTokenRequest;
import io.e4j.api.v1.ListAuditRequest;
import io.e4j.api.v1.Role;
import io.e4j.core.E4Client;
import io.e4j.core.E4Exception;
import io.e4j.core.Keys;
import io.e4j.mqtt.Mosquitto;
import io.e4j.server.node.C2Server;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Teserakt's C2 HTTP API on our API port: the reference's functional scenario over plain HTTP with
 * the JSON grpc-gateway wrote, with real devices on Mosquitto receiving what C2 sends them.
 */
class CompatibilityRoutesIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path directory;
  static Mosquitto broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = Mosquitto.start(Files.createDirectories(directory.resolve("broker")));
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  void referenceScenario_passesOverHttp_andRealDevicesGetTheirKeys() throws Exception {
    try (C2 c2 = C2.start("symmetric", CryptoMode.SYMMETRIC_KEY);
        Devices devices = new Devices(c2.server.service(), broker.port())) {
      List<Devices.Device> device = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        byte[] key = Keys.randomKey();
        assertThat(c2.ok("POST", "/e4/client/client-" + i, "{'key':'" + base64(key) + "'}"))
            .isEqualTo(tree("{}"));
        device.add(devices.connect(E4Client.builder().name("client-" + i).key(key).build(), true));
      }
      for (int i = 0; i < 4; i++) {
        assertThat(c2.ok("POST", "/e4/topic/sensors/topic-" + i, null)).isEqualTo(tree("{}"));
      }
      assertThat(c2.ok("GET", "/e4/clients/count", null)).isEqualTo(tree("{'count':'4'}"));
      assertThat(c2.ok("GET", "/e4/topics/count", null)).isEqualTo(tree("{'count':'4'}"));

      for (int i = 0; i < 4; i++) {
        assertThat(c2.ok("PUT", "/e4/client/client-" + i + "/topic/sensors/topic-" + i, null))
            .isEqualTo(tree("{}"));
      }
      for (int i = 0; i < 4; i++) {
        Devices.Device linked = device.get(i);
        String topic = "sensors/topic-" + i;
        await().atMost(Devices.WAIT).until(() -> linked.client.hasTopicKey(topic));
      }
      assertThat(c2.ok("GET", "/e4/client/client-0/topics/count", null))
          .isEqualTo(tree("{'count':'1'}"));
      assertThat(c2.ok("GET", "/e4/client/client-0/topics?offset=0&count=10", null))
          .isEqualTo(tree("{'topics':['sensors/topic-0']}"));
      assertThat(c2.ok("GET", "/e4/topic/sensors/topic-1/clients/count", null))
          .isEqualTo(tree("{'count':'1'}"));
      assertThat(c2.ok("GET", "/e4/topic/sensors%2Ftopic-1/clients/count", null))
          .isEqualTo(tree("{'count':'1'}"));
      assertThat(c2.ok("GET", "/e4/topic/sensors/topic-1/clients?offset=0&count=10", null))
          .isEqualTo(tree("{'clients':[{'name':'client-1'}]}"));
      assertThat(c2.ok("GET", "/e4/clients?offset=1&count=2", null))
          .isEqualTo(tree("{'clients':[{'name':'client-1'},{'name':'client-2'}]}"));
      assertThat(c2.ok("GET", "/e4/topics?offset=3&count=10", null))
          .isEqualTo(tree("{'topics':['sensors/topic-3']}"));
      assertThat(c2.ok("GET", "/e4/clients", null)).isEqualTo(tree("{'clients':[]}"));

      assertThat(c2.ok("DELETE", "/e4/client/client-0/topic/sensors/topic-0", null))
          .isEqualTo(tree("{}"));
      await()
          .atMost(Devices.WAIT)
          .until(() -> !device.get(0).client.hasTopicKey("sensors/topic-0"));
      c2.assertFailure(
          c2.admin("DELETE", "/e4/client/client-0/topic/sensors/topic-0", null), 404, 5);
      assertThat(c2.ok("GET", "/e4/topic/sensors/topic-0/clients/count", null))
          .isEqualTo(tree("{'count':'0'}"));

      messagesRoundTrip(c2, device.get(1));
      rotation(c2, device.get(1));
      keyChanges(c2, devices, device);
      removals(c2);
      assertThat(c2.ok("GET", "/e4/crypto-mode", null))
          .isEqualTo(tree("{'CryptoMode':'CRYPTOMODE_SYMKEY'}"));
      assertThat(c2.ok("GET", "/e4/health-check", null))
          .isEqualTo(tree("{'Code':'0','Status':'OK'}"));
      refusals(c2);
    }
  }

  /** C2 protects for a topic what its device opens, and opens what the device protects. */
  private static void messagesRoundTrip(C2 c2, Devices.Device device) throws Exception {
    JsonNode protectedByC2 =
        c2.ok(
            "POST",
            "/e4/protect-message",
            "{'topic':'sensors/topic-1','binaryData':'" + base64("21.5 C") + "'}");
    assertThat(protectedByC2.get("topic").textValue()).isEqualTo("sensors/topic-1");
    byte[] message = Base64.getDecoder().decode(protectedByC2.get("protectedBinaryData").asText());
    assertThat(device.client.unprotect("sensors/topic-1", message))
        .hasValue("21.5 C".getBytes(UTF_8));

    byte[] fromDevice = device.client.protect("sensors/topic-1", "22.0 C".getBytes(UTF_8));
    assertThat(
            c2.ok(
                "POST",
                "/e4/unprotect-message",
                "{'topic':'sensors/topic-1','protectedBinaryData':'" + base64(fromDevice) + "'}"))
        .isEqualTo(tree("{'topic':'sensors/topic-1','binaryData':'" + base64("22.0 C") + "'}"));
  }

  /** Creating an existing topic rotates its key, as in the reference, and its clients get it. */
  private static void rotation(C2 c2, Devices.Device device) throws Exception {
    assertThat(c2.server.service().topic("sensors/topic-1").keyVersion()).isEqualTo(1);
    assertThat(c2.ok("POST", "/e4/topic/sensors/topic-1", null)).isEqualTo(tree("{}"));
    assertThat(c2.server.service().topic("sensors/topic-1").keyVersion()).isEqualTo(2);
    byte[] underNewKey =
        c2.server.service().protectMessage("sensors/topic-1", "after".getBytes(UTF_8));
    await().atMost(Devices.WAIT).until(() -> opens(device, "sensors/topic-1", underNewKey));
  }

  /**
   * Creating an existing client replaces its key and keeps its links; a new key reaches the device,
   * which still applies what follows; a reset takes every topic key away.
   */
  private static void keyChanges(C2 c2, Devices devices, List<Devices.Device> device)
      throws Exception {
    byte[] replacement = Keys.randomKey();
    assertThat(c2.ok("POST", "/e4/client/client-2", "{'key':'" + base64(replacement) + "'}"))
        .isEqualTo(tree("{}"));
    device.get(2).mqtt.disconnect().join();
    Devices.Device reprovisioned =
        devices.connect(E4Client.builder().name("client-2").key(replacement).build(), true);
    c2.ok("PUT", "/e4/client/client-2/topic/sensors/topic-3", null);
    await().atMost(Devices.WAIT).until(() -> reprovisioned.client.hasTopicKey("sensors/topic-3"));
    assertThat(c2.ok("GET", "/e4/client/client-2/topics?offset=0&count=5", null))
        .isEqualTo(tree("{'topics':['sensors/topic-2','sensors/topic-3']}"));

    Devices.Device three = device.get(3);
    int commandsBefore = three.commands.get();
    assertThat(c2.ok("PATCH", "/e4/client/client-3", "{}")).isEqualTo(tree("{}"));
    c2.ok("PUT", "/e4/client/client-3/topic/sensors/topic-0", null);
    await().atMost(Devices.WAIT).until(() -> three.client.hasTopicKey("sensors/topic-0"));
    assertThat(three.commands.get()).isGreaterThanOrEqualTo(commandsBefore + 2);

    assertThat(c2.ok("PUT", "/e4/client/client-3", null)).isEqualTo(tree("{}"));
    await()
        .atMost(Devices.WAIT)
        .until(
            () ->
                !three.client.hasTopicKey("sensors/topic-0")
                    && !three.client.hasTopicKey("sensors/topic-3"));
    assertThat(c2.ok("GET", "/e4/client/client-3/topics/count", null))
        .isEqualTo(tree("{'count':'0'}"));
  }

  private static void removals(C2 c2) throws Exception {
    assertThat(c2.ok("DELETE", "/e4/topic/sensors/topic-2", null)).isEqualTo(tree("{}"));
    c2.assertFailure(c2.admin("DELETE", "/e4/topic/sensors/topic-2", null), 404, 5);
    c2.assertFailure(c2.admin("GET", "/e4/topic/sensors/topic-2/clients/count", null), 404, 5);
    assertThat(c2.ok("GET", "/e4/topics/count", null)).isEqualTo(tree("{'count':'3'}"));
    assertThat(c2.ok("DELETE", "/e4/client/client-0", null)).isEqualTo(tree("{}"));
    c2.assertFailure(c2.admin("DELETE", "/e4/client/client-0", null), 404, 5);
    assertThat(c2.ok("GET", "/e4/clients/count", null)).isEqualTo(tree("{'count':'3'}"));
  }

  /** Unknown names, malformed input and calls of the other mode are refused and change nothing. */
  private static void refusals(C2 c2) throws Exception {
    long eventsBefore = c2.server.service().lastEventSequence();
    c2.assertFailure(c2.admin("GET", "/e4/client/nobody/topics/count", null), 404, 5);
    c2.assertFailure(c2.admin("PUT", "/e4/client/nobody/topic/sensors/topic-1", null), 404, 5);
    c2.assertFailure(c2.admin("PUT", "/e4/client/client-1/topic/no/such/topic", null), 404, 5);
    c2.assertFailure(c2.admin("PATCH", "/e4/client/nobody", null), 404, 5);
    c2.assertFailure(c2.admin("GET", "/e4/topic/no/such/topic/clients?count=5", null), 404, 5);

    c2.assertFailure(c2.admin("POST", "/e4/client/client-9", "{'key':'c2hvcnQ='}"), 400, 3);
    c2.assertFailure(c2.admin("POST", "/e4/client/client-9", "{'key':'not base64!'}"), 400, 3);
    c2.assertFailure(c2.admin("POST", "/e4/client/client-9", "{'key':"), 400, 3);
    c2.assertFailure(c2.admin("GET", "/e4/clients?offset=0&count=ten", null), 400, 3);
    c2.assertFailure(
        c2.admin("POST", "/e4/protect-message", "{'topic':'sensors/topic-1'}"), 400, 3);
    c2.assertFailure(c2.admin("POST", "/e4/new-c2-key", "{}"), 400, 3);
    c2.assertFailure(c2.admin("POST", "/e4/new-c2-key", "{'force':true}"), 400, 9);
    c2.assertFailure(
        c2.admin("POST", "/e4/reset-client-pubkeys", "{'targetClient':{'name':'client-1'}}"),
        400,
        9);
    HttpResponse<String> clientLink = c2.admin("POST", "/e4/client/client-1/link/client-2", null);
    c2.assertFailure(clientLink, 501, 12);
    assertThat(clientLink.body()).contains("no counterpart");
    c2.assertFailure(c2.admin("GET", "/e4/client/client-1/link/count", null), 501, 12);

    assertThat(c2.ok("GET", "/e4/clients/count", null)).isEqualTo(tree("{'count':'3'}"));
    // Refusals change nothing; what devices report meanwhile (their keys) is not theirs.
    assertThat(c2.server.service().events(eventsBefore, 1_000))
        .allSatisfy(
            event ->
                assertThat(event.type())
                    .isIn(
                        EventType.DEVICE_CONFIRMED,
                        EventType.DEVICE_STALE,
                        EventType.COMMAND_SENT));
  }

  @Test
  void sameAccessControlAsTheApi_andCallsAuditedUnderTheTokensName() throws Exception {
    try (C2 c2 = C2.start("access", CryptoMode.SYMMETRIC_KEY)) {
      String viewer = c2.token("dana", Role.VIEWER);
      String operator = c2.token("olga", Role.OPERATOR);

      assertThat(c2.clients.send("GET", "/e4/clients/count", null, null).statusCode())
          .isEqualTo(401);
      assertThat(c2.clients.send("POST", "/e4/topic/anonymous", null, null).statusCode())
          .isEqualTo(401);
      assertThat(c2.clients.send("GET", "/e4/health-check", null, null).statusCode())
          .isEqualTo(401);
      assertThat(c2.clients.send("GET", "/e4/clients/count", viewer, null).body())
          .isEqualTo("{\"count\":\"0\"}");
      HttpResponse<String> viewerCreates =
          c2.clients.send("POST", "/e4/topic/by-viewer", viewer, null);
      assertThat(viewerCreates.statusCode()).isEqualTo(403);
      assertThat(viewerCreates.body()).contains("VIEWER");
      assertThat(c2.server.service().topicCount()).isZero();

      assertThat(c2.clients.send("POST", "/e4/topic/by-operator", operator, null).statusCode())
          .isEqualTo(200);
      assertThat(c2.clients.send("POST", "/e4/topic/by-operator", operator, null).statusCode())
          .isEqualTo(200);
      assertThat(c2.server.service().topic("by-operator").keyVersion()).isEqualTo(2);
      assertThat(
              c2.clients
                  .send(
                      "POST",
                      "/e4/protect-message",
                      operator,
                      "{\"topic\":\"by-operator\",\"binaryData\":\"aGk=\"}")
                  .statusCode())
          .isEqualTo(403);
      assertThat(
              c2.clients
                  .grpc(c2.admin)
                  .listAudit(ListAuditRequest.newBuilder().setActor("olga").setLimit(10).build())
                  .getRecordsList())
          .extracting(record -> record.getAction() + " " + record.getOutcome())
          .contains("CreateTopic OK", "RotateTopic OK", "ProtectMessage DENIED");
    }
  }

  @Test
  void publicKeyMode_publicKeysAndC2sKey_overHttp() throws Exception {
    try (C2 c2 = C2.start("public-key", CryptoMode.PUBLIC_KEY);
        Devices devices = new Devices(c2.server.service(), broker.port())) {
      assertThat(c2.ok("GET", "/e4/crypto-mode", null))
          .isEqualTo(tree("{'CryptoMode':'CRYPTOMODE_PUBKEY'}"));
      Devices.Device alice = publicKeyDevice(c2, devices, "alice");
      Devices.Device bob = publicKeyDevice(c2, devices, "bob");
      String aliceToBob = "{'sourceClient':{'name':'alice'},'targetClient':{'name':'bob'}}";

      assertThat(c2.ok("POST", "/e4/send-client-pubkey", aliceToBob)).isEqualTo(tree("{}"));
      await().atMost(Devices.WAIT).until(() -> holds(bob, alice));
      assertThat(c2.ok("POST", "/e4/remove-client-pubkey", aliceToBob)).isEqualTo(tree("{}"));
      await().atMost(Devices.WAIT).until(() -> !holds(bob, alice));
      c2.assertFailure(c2.admin("POST", "/e4/remove-client-pubkey", aliceToBob), 404, 5);

      c2.ok("POST", "/e4/send-client-pubkey", aliceToBob);
      await().atMost(Devices.WAIT).until(() -> holds(bob, alice));
      assertThat(c2.ok("POST", "/e4/reset-client-pubkeys", "{'targetClient':{'name':'bob'}}"))
          .isEqualTo(tree("{}"));
      await().atMost(Devices.WAIT).until(() -> bob.client.publicKeyIds().isEmpty());

      c2.assertFailure(c2.admin("POST", "/e4/new-c2-key", "{'force':false}"), 400, 3);
      byte[] oldC2Key = c2.server.service().c2PublicKey();
      assertThat(c2.ok("POST", "/e4/new-c2-key", "{'force':true}")).isEqualTo(tree("{}"));
      assertThat(c2.server.service().c2PublicKey()).isNotEqualTo(oldC2Key);
      // Protected under the key bob shares with C2's new pair: bob opens it only with the new key.
      c2.ok("POST", "/e4/send-client-pubkey", aliceToBob);
      await().atMost(Devices.WAIT).until(() -> holds(bob, alice));

      c2.assertFailure(
          c2.admin("POST", "/e4/send-client-pubkey", "{'sourceClient':{'name':'alice'}}"), 400, 3);
      c2.assertFailure(
          c2.admin("POST", "/e4/client/carol", "{'key':'" + base64(Keys.newEd25519()) + "'}"),
          400,
          3);
      c2.assertFailure(
          c2.admin("POST", "/e4/client/carol", "{'key':'" + base64(notAnEd25519Point()) + "'}"),
          400,
          3);
      assertThat(c2.ok("GET", "/e4/clients/count", null)).isEqualTo(tree("{'count':'2'}"));
      c2.ok("POST", "/e4/topic/pk/topic", null);
      c2.assertFailure(
          c2.admin("POST", "/e4/protect-message", "{'topic':'pk/topic','binaryData':'aGk='}"),
          400,
          9);
    }
  }

  /** Created over HTTP with its Ed25519 public key, as Teserakt's CLI did in public-key mode. */
  private static Devices.Device publicKeyDevice(C2 c2, Devices devices, String name)
      throws Exception {
    byte[] signing = Keys.newEd25519();
    c2.ok("POST", "/e4/client/" + name, "{'key':'" + base64(Keys.ed25519Public(signing)) + "'}");
    return devices.connect(
        E4Client.builder()
            .name(name)
            .signingKey(signing)
            .c2PublicKey(c2.server.service().c2PublicKey())
            .build(),
        true);
  }

  private static byte[] notAnEd25519Point() {
    while (true) {
      byte[] candidate = Keys.randomKey();
      try {
        Keys.curve25519Public(candidate);
      } catch (E4Exception e) {
        return candidate;
      }
    }
  }

  private static boolean holds(Devices.Device holder, Devices.Device subject) {
    return holder.client.publicKeyIds().stream()
        .anyMatch(id -> Arrays.equals(id, subject.client.id()));
  }

  private static boolean opens(Devices.Device device, String topic, byte[] message) {
    try {
      return device.client.unprotect(topic, message).isPresent();
    } catch (E4Exception e) {
      return false;
    }
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static String base64(String text) {
    return base64(text.getBytes(UTF_8));
  }

  /** JSON written with single quotes, for readability. */
  private static JsonNode tree(String json) throws Exception {
    return JSON.readTree(json.replace('\'', '"'));
  }

  /** A C2 with its API, on the shared broker, and a client of its API. */
  private static final class C2 implements AutoCloseable {
    final C2Server server;
    final ApiClients clients;
    final String admin;

    private C2(C2Server server, ApiClients clients, String admin) {
      this.server = server;
      this.clients = clients;
      this.admin = admin;
    }

    static C2 start(String name, CryptoMode mode) throws Exception {
      Path data = directory.resolve(name);
      C2Server server = ApiClients.startC2(data, mode, broker.port());
      return new C2(server, new ApiClients(server), ApiClients.adminToken(data));
    }

    String token(String name, Role role) {
      return clients
          .grpc(admin)
          .createToken(CreateTokenRequest.newBuilder().setName(name).setRole(role).build())
          .getToken();
    }

    /** An admin's call; {@code json} written with single quotes. */
    HttpResponse<String> admin(String method, String path, String json) throws Exception {
      return clients.send(method, path, admin, json == null ? null : json.replace('\'', '"'));
    }

    /** An admin's call that succeeds, and its answer. */
    JsonNode ok(String method, String path, String json) throws Exception {
      HttpResponse<String> response = admin(method, path, json);
      assertThat(response.statusCode())
          .as(method + " " + path + ": " + response.body())
          .isEqualTo(200);
      assertThat(response.headers().firstValue("content-type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
      return JSON.readTree(response.body());
    }

    /** A refusal as grpc-gateway wrote it: the HTTP status and the gRPC code with a sentence. */
    void assertFailure(HttpResponse<String> response, int status, int code) throws Exception {
      assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
      JsonNode body = JSON.readTree(response.body());
      assertThat(body.get("code").intValue()).as(response.body()).isEqualTo(code);
      assertThat(body.get("error").textValue())
          .isNotBlank()
          .isEqualTo(body.get("message").textValue());
      assertThat(body.get("details").isArray()).isTrue();
    }

    @Override
    public void close() {
      clients.close();
      server.close();
    }
  }
}
