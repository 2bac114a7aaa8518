package io.e4j.server.internal.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.CryptoMode;
import io.e4j.server.DeviceCredential;
import io.e4j.server.DeviceRef;
import io.e4j.server.NewDevice;
import io.e4j.server.Role;
import io.e4j.server.internal.operations.CallerService;
import io.grpc.Status;
import java.util.Base64;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Teserakt's C2 HTTP API (the {@code google.api.http} routes of its {@code api.proto}, as
 * grpc-gateway v1 served them) on this C2's API port, under the same tokens, roles and audit as the
 * rest of the API, so that scripts and Teserakt's web UI written for it keep working.
 *
 * <p>The JSON is grpc-gateway's with {@code OrigName} and {@code EmitDefaults}: field names as in
 * the proto, 64-bit integers as strings, bytes as standard base64, enums by name, every field
 * present. A failure is {@code {"error", "code", "message", "details"}} with the HTTP status
 * grpc-gateway gives its gRPC code. Teserakt's client-to-client links have no counterpart in this
 * C2 and answer 501.
 */
final class CompatibilityRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(CompatibilityRoutes.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Teserakt's C2 returned at most this many clients, or topics, a page (its QueryLimit). */
  private static final int ALL_CLIENTS_OR_TOPICS_PAGE = 100;

  /** The largest page of our offset listings; Teserakt's C2 had no bound for links. */
  private static final int LINKS_PAGE = 1_000;

  private static final String CLIENT = "/e4/client/(?<name>[^/]*)";
  private static final String TOPIC = "/e4/topic/(?<topic>.*)";
  private static final String LINK = CLIENT + "/topic/(?<topic>.*)";

  private static final String NO_CLIENT_LINKS =
      "client-to-client links of Teserakt's C2 have no counterpart in this C2: send a client's"
          + " public key to another with POST /e4/send-client-pubkey";

  private final ServerBuilder builder;
  private final Access access;
  private final CallerService operations;

  private CompatibilityRoutes(ServerBuilder builder, Access access, CallerService operations) {
    this.builder = builder;
    this.access = access;
    this.operations = operations;
  }

  /** Adds every route of Teserakt's C2 HTTP API to {@code builder}. */
  static void addTo(ServerBuilder builder, Access access, CallerService operations) {
    CompatibilityRoutes routes = new CompatibilityRoutes(builder, access, operations);
    routes.addClientRoutes();
    routes.addTopicRoutes();
    routes.addListings();
    routes.addPublicKeyRoutes();
    routes.addMessageRoutes();
    routes.addClientLinkRoutes();
  }

  /** The answer of a route, computed on the blocking executor. */
  @FunctionalInterface
  private interface Handler {
    JsonNode handle(CompatibilityCall call);
  }

  private void addClientRoutes() {
    add(HttpMethod.POST, CLIENT, "CreateDevice", CompatibilityRoutes::newClient);
    addChange(
        HttpMethod.DELETE,
        CLIENT,
        "RemoveDevice",
        call -> call.operations().removeDevice(call.client()));
    addChange(
        HttpMethod.PUT,
        CLIENT,
        "ResetDevice",
        call -> call.operations().resetDevice(call.client()));
    addChange(
        HttpMethod.PATCH,
        CLIENT,
        "NewDeviceKey",
        call -> call.operations().newDeviceKey(call.client()));
    addChange(
        HttpMethod.PUT, LINK, "Link", call -> call.operations().link(call.client(), call.topic()));
    addChange(
        HttpMethod.DELETE,
        LINK,
        "Unlink",
        call -> call.operations().unlink(call.client(), call.topic()));
  }

  private void addTopicRoutes() {
    // Creating an existing topic rotates its key: the route needs whatever either needs.
    Role createOrRotate =
        max(Access.needed("CreateTopic", true), Access.needed("RotateTopic", true));
    add(HttpMethod.POST, TOPIC, "CreateTopic", createOrRotate, CompatibilityRoutes::newTopic);
    addChange(
        HttpMethod.DELETE,
        TOPIC,
        "RemoveTopic",
        call -> call.operations().removeTopic(call.topic()));
  }

  private void addListings() {
    add(
        HttpMethod.GET,
        CLIENT + "/topics/count",
        "ListDeviceTopics",
        call -> count(call.operations().topicCountOf(call.client())));
    add(
        HttpMethod.GET,
        CLIENT + "/topics",
        "ListDeviceTopics",
        call ->
            topics(
                call.operations()
                    .topicNamesOfAt(call.client(), call.query("offset"), page(call, LINKS_PAGE))));
    add(
        HttpMethod.GET,
        TOPIC + "/clients/count",
        "ListTopicDevices",
        call -> count(call.operations().deviceCountOf(call.topic())));
    add(
        HttpMethod.GET,
        TOPIC + "/clients",
        "ListTopicDevices",
        call ->
            clients(
                call.operations()
                    .deviceNamesOfAt(call.topic(), call.query("offset"), page(call, LINKS_PAGE))));
    add(
        HttpMethod.GET,
        "/e4/clients/count",
        "GetCounts",
        call -> count(call.operations().deviceCount()));
    add(
        HttpMethod.GET,
        "/e4/clients",
        "ListDevices",
        call ->
            clients(
                call.operations()
                    .deviceNamesAt(call.query("offset"), page(call, ALL_CLIENTS_OR_TOPICS_PAGE))));
    add(
        HttpMethod.GET,
        "/e4/topics/count",
        "GetCounts",
        call -> count(call.operations().topicCount()));
    add(
        HttpMethod.GET,
        "/e4/topics",
        "ListTopics",
        call ->
            topics(
                call.operations()
                    .topicNamesAt(call.query("offset"), page(call, ALL_CLIENTS_OR_TOPICS_PAGE))));
    add(HttpMethod.GET, "/e4/crypto-mode", "GetCryptoMode", CompatibilityRoutes::cryptoMode);
    // A liveness check reads nothing: any valid token may make it.
    add(
        HttpMethod.GET,
        "/e4/health-check",
        "HealthCheck",
        Role.VIEWER,
        call -> JSON.createObjectNode().put("Code", "0").put("Status", "OK"));
  }

  private void addPublicKeyRoutes() {
    addChange(
        HttpMethod.POST,
        "/e4/send-client-pubkey",
        "SendPublicKey",
        call ->
            call.operations()
                .sendPublicKey(call.client("sourceClient"), call.client("targetClient")));
    addChange(
        HttpMethod.POST,
        "/e4/remove-client-pubkey",
        "RemovePublicKey",
        call ->
            call.operations()
                .removePublicKey(call.client("sourceClient"), call.client("targetClient")));
    addChange(
        HttpMethod.POST,
        "/e4/reset-client-pubkeys",
        "ResetPublicKeys",
        call -> call.operations().resetPublicKeys(call.client("targetClient")));
    addChange(
        HttpMethod.POST,
        "/e4/new-c2-key",
        "NewC2Key",
        call -> {
          if (!call.flag("force")) {
            call.refuse("a new C2 key is sent to every client: ask for it with {\"force\": true}");
          }
          call.operations().newC2Key();
        });
  }

  private void addMessageRoutes() {
    add(
        HttpMethod.POST,
        "/e4/protect-message",
        "ProtectMessage",
        call ->
            message(call, "binaryData", "protectedBinaryData", call.operations()::protectMessage));
    add(
        HttpMethod.POST,
        "/e4/unprotect-message",
        "UnprotectMessage",
        call ->
            message(
                call,
                "protectedBinaryData",
                "binaryData",
                (topic, data) -> call.operations().unprotectMessage(topic, data).payload()));
  }

  private void addClientLinkRoutes() {
    addUnimplemented(HttpMethod.POST, CLIENT + "/link/[^/]*", "LinkClient");
    addUnimplemented(HttpMethod.DELETE, CLIENT + "/unlink/[^/]*", "UnlinkClient");
    addUnimplemented(HttpMethod.GET, CLIENT + "/link/count", "CountLinkedClients");
    addUnimplemented(HttpMethod.GET, CLIENT + "/link", "GetLinkedClients");
  }

  /**
   * Creates the client, or gives an existing one the key sent (its links are kept), as Teserakt's
   * C2 did. The key is the client's symmetric key, or in public-key mode its Ed25519 public key.
   */
  private static JsonNode newClient(CompatibilityCall call) {
    DeviceRef client = call.client();
    byte[] key = call.bytes("key");
    CallerService operations = call.operations();
    DeviceCredential credential =
        call.argument(
            () ->
                operations.mode() == CryptoMode.SYMMETRIC_KEY
                    ? new DeviceCredential.SymmetricKey(key)
                    : new DeviceCredential.PublicKey(key));
    operations.createDevice(NewDevice.of(client, credential).replacing());
    return empty();
  }

  /**
   * Creates the topic, or rotates its key if it exists (sent to its clients), as Teserakt's C2 did.
   */
  private static JsonNode newTopic(CompatibilityCall call) {
    String topic = call.topic();
    CallerService operations = call.operations();
    if (exists(operations, topic)) {
      operations.rotateTopicKey(topic);
      return empty();
    }
    try {
      operations.createTopic(topic);
    } catch (C2Exception e) {
      if (e.reason() != Reason.ALREADY_EXISTS) {
        throw e;
      }
      // Created by another call since we looked.
      operations.rotateTopicKey(topic);
    }
    return empty();
  }

  private static boolean exists(CallerService operations, String topic) {
    try {
      operations.topic(topic);
      return true;
    } catch (C2Exception e) {
      if (e.reason() == Reason.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  /** {@code {"topic", <in>}} to {@code {"topic", <out>}}, the bytes of {@code in} transformed. */
  private static JsonNode message(
      CompatibilityCall call, String in, String out, BiFunction<String, byte[], byte[]> transform) {
    String topic = call.text("topic");
    byte[] data = call.bytes(in);
    if (data.length == 0) {
      call.refuse(in + " must not be empty");
    }
    return JSON.createObjectNode()
        .put("topic", topic)
        .put(out, Base64.getEncoder().encodeToString(transform.apply(topic, data)));
  }

  private static JsonNode cryptoMode(CompatibilityCall call) {
    String mode =
        call.operations().mode() == CryptoMode.SYMMETRIC_KEY
            ? "CRYPTOMODE_SYMKEY"
            : "CRYPTOMODE_PUBKEY";
    return JSON.createObjectNode().put("CryptoMode", mode);
  }

  /**
   * The page size asked for: 0 or none is an empty page, as Teserakt's C2 gave (its query had
   * {@code LIMIT 0}); more than {@code largest} is {@code largest}.
   */
  private static int page(CompatibilityCall call, int largest) {
    return (int) Math.min(call.query("count"), largest);
  }

  /** A route that changes something and answers the empty message. */
  private void addChange(
      HttpMethod method, String path, String operation, Consumer<CompatibilityCall> change) {
    add(
        method,
        path,
        operation,
        call -> {
          change.accept(call);
          return empty();
        });
  }

  private void add(HttpMethod method, String path, String operation, Handler handler) {
    add(method, path, operation, Access.needed(operation, true), handler);
  }

  private void add(HttpMethod method, String path, String operation, Role needed, Handler handler) {
    boolean changes = needed != Role.VIEWER;
    HttpService service =
        (ctx, req) ->
            HttpResponse.of(
                req.aggregate()
                    .thenApplyAsync(
                        request ->
                            respond(
                                handler,
                                new CompatibilityCall(
                                    ctx, request, operations, operation, changes)),
                        ctx.blockingTaskExecutor()));
    bind(method, path, operation, needed, service);
  }

  private void addUnimplemented(HttpMethod method, String path, String operation) {
    bind(
        method,
        path,
        operation,
        Access.needed(operation, true),
        (ctx, req) -> failure(Status.UNIMPLEMENTED.withDescription(NO_CLIENT_LINKS)));
  }

  private void bind(
      HttpMethod method, String path, String operation, Role needed, HttpService service) {
    builder
        .route()
        .methods(method)
        .path("regex:^" + path + "$")
        .build(ApiServer.authorized(access, operation, needed, service));
  }

  private static HttpResponse respond(Handler handler, CompatibilityCall call) {
    try {
      return HttpResponse.ofJson(handler.handle(call));
    } catch (C2Exception e) {
      return failure(Protos.status(e));
    } catch (RuntimeException e) {
      LOG.error("a compatibility route failed", e);
      return failure(Status.INTERNAL.withDescription("internal error (see the server's log)"));
    }
  }

  /** A failure as grpc-gateway v1 wrote it. */
  private static HttpResponse failure(Status status) {
    String message = status.getDescription() == null ? "" : status.getDescription();
    ObjectNode body = JSON.createObjectNode();
    body.put("error", message);
    body.put("code", status.getCode().value());
    body.put("message", message);
    body.putArray("details");
    return HttpResponse.ofJson(HttpStatus.valueOf(httpStatus(status.getCode())), body);
  }

  /** grpc-gateway v1's HTTPStatusFromCode. */
  private static int httpStatus(Status.Code code) {
    return switch (code) {
      case OK -> 200;
      case CANCELLED -> 408;
      case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
      case DEADLINE_EXCEEDED -> 504;
      case NOT_FOUND -> 404;
      case ALREADY_EXISTS, ABORTED -> 409;
      case PERMISSION_DENIED -> 403;
      case UNAUTHENTICATED -> 401;
      case RESOURCE_EXHAUSTED -> 429;
      case UNIMPLEMENTED -> 501;
      case UNAVAILABLE -> 503;
      case UNKNOWN, INTERNAL, DATA_LOSS -> 500;
    };
  }

  private static Role max(Role one, Role other) {
    return one.allows(other) ? one : other;
  }

  private static ObjectNode empty() {
    return JSON.createObjectNode();
  }

  private static ObjectNode count(long count) {
    return JSON.createObjectNode().put("count", Long.toString(count));
  }

  private static ObjectNode topics(List<String> names) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode topics = body.putArray("topics");
    names.forEach(topics::add);
    return body;
  }

  private static ObjectNode clients(List<String> names) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode clients = body.putArray("clients");
    names.forEach(name -> clients.addObject().put("name", name));
    return body;
  }
}
