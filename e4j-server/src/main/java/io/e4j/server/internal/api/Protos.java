package io.e4j.server.internal.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.e4j.api.v1.CreateDeviceRequest;
import io.e4j.api.v1.ErrorCode;
import io.e4j.api.v1.ItemError;
import io.e4j.api.v1.ListDevicesResponse;
import io.e4j.api.v1.ListTopicsResponse;
import io.e4j.server.ApiToken;
import io.e4j.server.AuditRecord;
import io.e4j.server.C2Event;
import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.CryptoMode;
import io.e4j.server.Delivery;
import io.e4j.server.DeviceCredential;
import io.e4j.server.DeviceInfo;
import io.e4j.server.DeviceRef;
import io.e4j.server.NewDevice;
import io.e4j.server.Page;
import io.e4j.server.Role;
import io.e4j.server.TopicInfo;
import io.e4j.server.internal.operations.CallerService;
import io.grpc.Status;
import java.time.Instant;
import java.util.HexFormat;

/** Conversions between the API's messages and C2's values. */
final class Protos {
  private static final int DEFAULT_PAGE = 100;

  private Protos() {}

  /** A device named by exactly one of name and ID. */
  static DeviceRef device(io.e4j.api.v1.DeviceRef ref) {
    boolean named = !ref.getName().isEmpty();
    boolean identified = !ref.getId().isEmpty();
    if (named == identified) {
      throw new C2Exception(
          Reason.INVALID_ARGUMENT, "name a device by its name or by its ID (32 hex digits)");
    }
    return named ? DeviceRef.name(ref.getName()) : DeviceRef.hexId(ref.getId());
  }

  /** A device to create: its name, its ID, or both (an ID that need not derive from the name). */
  static NewDevice newDevice(CreateDeviceRequest request) {
    io.e4j.api.v1.DeviceRef ref = request.getDevice();
    DeviceRef device =
        !ref.getName().isEmpty() && !ref.getId().isEmpty()
            ? DeviceRef.idAndName(HexFormat.of().parseHex(hexId(ref.getId())), ref.getName())
            : device(ref);
    DeviceCredential credential =
        switch (request.getCredentialCase()) {
          case KEY -> new DeviceCredential.SymmetricKey(request.getKey().toByteArray());
          case PASSWORD -> new DeviceCredential.Password(request.getPassword());
          case PUBLIC_KEY -> new DeviceCredential.PublicKey(request.getPublicKey().toByteArray());
          case GENERATE -> {
            if (!request.getGenerate()) {
              throw new C2Exception(
                  Reason.INVALID_ARGUMENT, "generate is false: give a credential");
            }
            yield new DeviceCredential.Generate();
          }
          case CREDENTIAL_NOT_SET ->
              throw new C2Exception(
                  Reason.INVALID_ARGUMENT,
                  "a device needs a credential: key, password, public_key or generate");
        };
    return new NewDevice(device, credential, request.getReplace());
  }

  private static String hexId(String id) {
    if (!id.matches("[0-9a-fA-F]{32}")) {
      throw new C2Exception(
          Reason.INVALID_ARGUMENT, "a device ID is 32 hex digits, got '" + id + "'");
    }
    return id;
  }

  static int pageSize(int requested) {
    return requested == 0 ? DEFAULT_PAGE : requested;
  }

  static io.e4j.api.v1.Device device(DeviceInfo info) {
    io.e4j.api.v1.Device.Builder device =
        io.e4j.api.v1.Device.newBuilder()
            .setId(info.id())
            .setCreatedAt(timestamp(info.createdAt()))
            .setUpdatedAt(timestamp(info.updatedAt()));
    info.name().ifPresent(device::setName);
    info.publicKey().ifPresent(device::setPublicKey);
    return device.build();
  }

  static io.e4j.api.v1.Topic topic(TopicInfo info) {
    return io.e4j.api.v1.Topic.newBuilder()
        .setName(info.name())
        .setKeyVersion(info.keyVersion())
        .setCreatedAt(timestamp(info.createdAt()))
        .setRotatedAt(timestamp(info.rotatedAt()))
        .build();
  }

  static io.e4j.api.v1.Delivery delivery(Delivery delivery) {
    io.e4j.api.v1.Delivery.Builder proto =
        io.e4j.api.v1.Delivery.newBuilder()
            .setPosition(delivery.position())
            .setDeviceId(delivery.deviceId())
            .setCommand(delivery.command())
            .setStatus(io.e4j.api.v1.DeliveryStatus.valueOf(delivery.status().name()))
            .setAttempts(delivery.attempts())
            .setCreatedAt(timestamp(delivery.createdAt()));
    delivery.lastError().ifPresent(proto::setLastError);
    delivery.sentAt().map(Protos::timestamp).ifPresent(proto::setSentAt);
    return proto.build();
  }

  static io.e4j.api.v1.Event event(C2Event event) {
    io.e4j.api.v1.Event.Builder proto =
        io.e4j.api.v1.Event.newBuilder()
            .setSequence(event.sequence())
            .setType(io.e4j.api.v1.EventType.valueOf(event.type().name()))
            .setTime(timestamp(event.time()))
            .setDeviceCount(event.deviceCount());
    event.actor().ifPresent(proto::setActor);
    event.deviceId().ifPresent(proto::setDeviceId);
    event.deviceName().ifPresent(proto::setDeviceName);
    event.topic().ifPresent(proto::setTopic);
    event.command().ifPresent(proto::setCommand);
    event.detail().ifPresent(proto::setDetail);
    return proto.build();
  }

  static io.e4j.api.v1.AuditRecord audit(AuditRecord record) {
    io.e4j.api.v1.AuditRecord.Builder proto =
        io.e4j.api.v1.AuditRecord.newBuilder()
            .setId(record.id())
            .setTime(timestamp(record.time()))
            .setActor(record.actor())
            .setAction(record.action())
            .setTarget(record.target())
            .setOutcome(record.outcome());
    record.role().ifPresent(role -> proto.setRole(role.name()));
    record.detail().ifPresent(proto::setDetail);
    return proto.build();
  }

  static io.e4j.api.v1.TokenInfo token(ApiToken token) {
    return io.e4j.api.v1.TokenInfo.newBuilder()
        .setName(token.name())
        .setRole(role(token.role()))
        .setCreatedAt(timestamp(token.createdAt()))
        .build();
  }

  static io.e4j.api.v1.Role role(Role role) {
    return io.e4j.api.v1.Role.valueOf(role.name());
  }

  static Role role(io.e4j.api.v1.Role role) {
    return switch (role) {
      case VIEWER -> Role.VIEWER;
      case OPERATOR -> Role.OPERATOR;
      case ADMIN -> Role.ADMIN;
      default ->
          throw new C2Exception(Reason.INVALID_ARGUMENT, "a role is VIEWER, OPERATOR or ADMIN");
    };
  }

  static io.e4j.api.v1.CryptoMode mode(CryptoMode mode) {
    return mode == CryptoMode.SYMMETRIC_KEY
        ? io.e4j.api.v1.CryptoMode.SYMMETRIC_KEY
        : io.e4j.api.v1.CryptoMode.PUBLIC_KEY;
  }

  static ItemError error(C2Exception e) {
    ErrorCode code =
        switch (e.reason()) {
          case NOT_FOUND -> ErrorCode.NOT_FOUND;
          case ALREADY_EXISTS -> ErrorCode.ALREADY_EXISTS;
          case INVALID_ARGUMENT -> ErrorCode.INVALID_ARGUMENT;
          case WRONG_MODE -> ErrorCode.WRONG_MODE;
          default -> ErrorCode.INTERNAL;
        };
    return ItemError.newBuilder().setCode(code).setMessage(e.getMessage()).build();
  }

  /** The gRPC status for a C2 failure (the HTTP/JSON mapping turns it into the HTTP status). */
  static Status status(C2Exception e) {
    Status status =
        switch (e.reason()) {
          case NOT_FOUND -> Status.NOT_FOUND;
          case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
          case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
          case WRONG_MODE -> Status.FAILED_PRECONDITION;
          case STORAGE -> Status.UNAVAILABLE;
          case PERMISSION_DENIED -> Status.PERMISSION_DENIED;
          default -> Status.INTERNAL;
        };
    return status.withDescription(e.getMessage());
  }

  static ByteString bytes(byte[] value) {
    return ByteString.copyFrom(value);
  }

  static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  /** A device named in a mutating call's request; a malformed one refuses the call, recorded. */
  static io.e4j.server.DeviceRef argumentDevice(
      CallerService ops, String action, io.e4j.api.v1.DeviceRef ref) {
    return ops.argument(action, "", () -> device(ref));
  }

  /** A mutating call's argument; a malformed one refuses the call, and the refusal is recorded. */
  static <T> T argument(CallerService ops, String action, java.util.function.Supplier<T> read) {
    return ops.argument(action, "", read);
  }

  static ListDevicesResponse devices(Page<DeviceInfo> page) {
    ListDevicesResponse.Builder response = ListDevicesResponse.newBuilder();
    page.items().forEach(device -> response.addDevices(device(device)));
    page.nextCursor().ifPresent(response::setNextPageToken);
    return response.build();
  }

  static ListTopicsResponse topics(Page<TopicInfo> page) {
    ListTopicsResponse.Builder response = ListTopicsResponse.newBuilder();
    page.items().forEach(topic -> response.addTopics(topic(topic)));
    page.nextCursor().ifPresent(response::setNextPageToken);
    return response.build();
  }
}
