package io.e4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.e4j.api.v1.C2Grpc;
import io.e4j.api.v1.CreateTopicRequest;
import io.e4j.api.v1.GetCountsRequest;
import io.e4j.api.v1.ListAuditRequest;
import io.e4j.api.v1.NewC2KeyRequest;
import io.e4j.api.v1.ProtectMessageRequest;
import io.e4j.api.v1.Role;
import io.e4j.api.v1.RotateTopicRequest;
import io.e4j.api.v1.WhoAmIRequest;
import io.e4j.mqtt.Mosquitto;
import io.e4j.server.node.C2Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API's access control: no token is refused, a viewer cannot change anything, an operator can
 * rotate but not replace C2's key, and every refused call changes nothing and is audited once.
 */
class ApiAccessIT {
  @TempDir static Path directory;
  static Mosquitto broker;
  static C2Server server;
  static ApiClients clients;
  static String admin;
  static String viewer;
  static String operator;

  @BeforeAll
  static void start() throws Exception {
    broker = Mosquitto.start(Files.createDirectories(directory.resolve("broker")));
    Path data = directory.resolve("c2");
    server = ApiClients.startC2(data, CryptoMode.SYMMETRIC_KEY, broker.port());
    clients = new ApiClients(server);
    admin = ApiClients.adminToken(data);
    C2Grpc.C2BlockingStub asAdmin = clients.grpc(admin);
    viewer = ApiClients.token(asAdmin, "dana", Role.VIEWER);
    operator = ApiClients.token(asAdmin, "olga", Role.OPERATOR);
  }

  @AfterAll
  static void stop() {
    if (clients != null) {
      clients.close();
    }
    if (server != null) {
      server.close();
    }
    broker.close();
  }

  @Test
  void theBootstrapTokenIsOwnerOnly_andAnAdmin() throws Exception {
    Path file = directory.resolve("c2").resolve(C2Server.ADMIN_TOKEN_FILE);
    assertThat(Files.getPosixFilePermissions(file))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(clients.grpc(admin).whoAmI(WhoAmIRequest.getDefaultInstance()).getRole())
        .isEqualTo(Role.ADMIN);
  }

  @Test
  void noToken_isUnauthenticated_overHttpAndGrpc() throws Exception {
    assertThat(clients.send("GET", "/v1/devices", null, null).statusCode()).isEqualTo(401);
    assertThat(clients.send("GET", "/v1/devices", "e4t_not-a-token", null).statusCode())
        .isEqualTo(401);
    assertThat(clients.send("GET", "/metrics", null, null).statusCode()).isEqualTo(401);
    assertThatThrownBy(() -> clients.grpc(null).getCounts(GetCountsRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
  }

  @Test
  void deniedCalls_leaveNoTraceInState_andOneAuditRecordEach() throws Exception {
    C2Grpc.C2BlockingStub asAdmin = clients.grpc(admin);
    long devicesBefore = server.service().deviceCount();
    long topicsBefore = server.service().topicCount();
    long eventsBefore = server.service().lastEventSequence();
    long deniedBefore = denied("dana") + denied("anonymous") + denied("olga");

    HttpResponse<String> viewerCreates =
        clients.send("POST", "/v1/topics", viewer, "{\"topic\":\"access/denied\"}");
    assertThat(viewerCreates.statusCode()).isEqualTo(403);
    assertThat(viewerCreates.body()).contains("VIEWER");
    HttpResponse<String> anonymousCreates =
        clients.send(
            "POST", "/v1/devices", null, "{\"device\":{\"name\":\"x\"},\"generate\":true}");
    assertThat(anonymousCreates.statusCode()).isEqualTo(401);
    assertThatThrownBy(
            () ->
                clients
                    .grpc(viewer)
                    .createTopic(CreateTopicRequest.newBuilder().setTopic("access/denied").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    assertThatThrownBy(() -> clients.grpc(operator).newC2Key(NewC2KeyRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    HttpResponse<String> operatorProtects =
        clients.send(
            "POST",
            "/v1/messages/protect",
            operator,
            "{\"topic\":\"access/denied\",\"payload\":\"aGk=\"}");
    assertThat(operatorProtects.statusCode()).isEqualTo(403);

    assertThat(server.service().deviceCount()).isEqualTo(devicesBefore);
    assertThat(server.service().topicCount()).isEqualTo(topicsBefore);
    assertThat(server.service().lastEventSequence()).isEqualTo(eventsBefore);
    assertThat(denied("dana") + denied("anonymous") + denied("olga") - deniedBefore).isEqualTo(5);
    assertThat(
            asAdmin
                .listAudit(ListAuditRequest.newBuilder().setActor("dana").setLimit(10).build())
                .getRecordsList())
        .anySatisfy(
            record -> {
              assertThat(record.getAction()).isEqualTo("CreateTopic");
              assertThat(record.getOutcome()).isEqualTo("DENIED");
              assertThat(record.getRole()).isEqualTo("VIEWER");
            });
  }

  @Test
  void jsonAnswersHoldEveryField_zeroesAndEmptyListsToo() throws Exception {
    HttpResponse<String> counts = clients.send("GET", "/v1/counts", viewer, null);
    assertThat(counts.statusCode()).isEqualTo(200);
    assertThat(counts.body()).contains("\"devices\"", "\"topics\"", "\"undeliveredCommands\"");
    assertThat(clients.send("GET", "/v1/devices?name_prefix=nobody-", viewer, null).body())
        .contains("\"devices\":[]");
  }

  @Test
  void anOperatorRotates_andAViewerReads() throws Exception {
    C2Grpc.C2BlockingStub asOperator = clients.grpc(operator);
    asOperator.createTopic(CreateTopicRequest.newBuilder().setTopic("access/rotated").build());
    assertThat(
            asOperator
                .rotateTopic(RotateTopicRequest.newBuilder().setTopic("access/rotated").build())
                .getTopic()
                .getKeyVersion())
        .isEqualTo(2);
    HttpResponse<String> rotated =
        clients.send("POST", "/v1/rotate-topic", operator, "{\"topic\":\"access/rotated\"}");
    assertThat(rotated.statusCode()).isEqualTo(200);
    assertThat(rotated.body()).contains("\"keyVersion\":3");
    HttpResponse<String> read = clients.send("GET", "/v1/topics/access/rotated", viewer, null);
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.body()).contains("access/rotated");
    assertThat(clients.send("GET", "/metrics", viewer, null).body())
        .contains("e4j_topics", "e4j_devices", "e4j_outbox_undelivered", "e4j_commands_total")
        .contains("e4j_api_request_duration_seconds")
        .contains("method=\"RotateTopic\",service=\"e4j.v1.C2\"");
    assertThat(
            clients
                .grpc(admin)
                .listAudit(ListAuditRequest.newBuilder().setActor("olga").setLimit(10).build())
                .getRecordsList())
        .anySatisfy(
            record -> {
              assertThat(record.getAction()).isEqualTo("RotateTopic");
              assertThat(record.getTarget()).isEqualTo("access/rotated");
              assertThat(record.getOutcome()).isEqualTo("OK");
            });
  }

  @Test
  void onlyAnAdminUsesTheMessageHelpers() throws Exception {
    C2Grpc.C2BlockingStub asAdmin = clients.grpc(admin);
    asAdmin.createTopic(CreateTopicRequest.newBuilder().setTopic("access/messages").build());
    byte[] protectedMessage =
        asAdmin
            .protectMessage(
                ProtectMessageRequest.newBuilder()
                    .setTopic("access/messages")
                    .setPayload(com.google.protobuf.ByteString.copyFromUtf8("hello"))
                    .build())
            .getProtectedMessage()
            .toByteArray();
    assertThat(server.service().unprotectMessage("access/messages", protectedMessage).payload())
        .asString()
        .isEqualTo("hello");
  }

  @Test
  void healthReadinessAndDocumentation_needNoToken() throws Exception {
    assertThat(clients.send("GET", "/health", null, null).statusCode()).isEqualTo(200);
    HttpResponse<String> ready = clients.send("GET", "/ready", null, null);
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("\"database\"").contains("\"broker\"");
    assertThat(clients.send("GET", "/docs/specification.json", null, null).body())
        .contains("e4j.v1.C2");
  }

  private static long denied(String actor) {
    return server.service().audit(0, 1_000, java.util.Optional.of(actor)).stream()
        .filter(record -> Set.of("DENIED", "UNAUTHENTICATED").contains(record.outcome()))
        .count();
  }
}
