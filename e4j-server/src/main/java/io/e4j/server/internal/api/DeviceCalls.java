package io.e4j.server.internal.api;

import io.e4j.api.v1.CreateDeviceRequest;
import io.e4j.api.v1.CreateDeviceResponse;
import io.e4j.api.v1.CreateDeviceResult;
import io.e4j.api.v1.CreateDevicesRequest;
import io.e4j.api.v1.CreateDevicesResponse;
import io.e4j.api.v1.GetDeviceRequest;
import io.e4j.api.v1.GetDeviceResponse;
import io.e4j.api.v1.GetDeviceStatusRequest;
import io.e4j.api.v1.GetDeviceStatusResponse;
import io.e4j.api.v1.IssueBrokerCredentialRequest;
import io.e4j.api.v1.IssueBrokerCredentialResponse;
import io.e4j.api.v1.ListDeliveriesRequest;
import io.e4j.api.v1.ListDeliveriesResponse;
import io.e4j.api.v1.ListDeviceTopicsRequest;
import io.e4j.api.v1.ListDevicesRequest;
import io.e4j.api.v1.ListDevicesResponse;
import io.e4j.api.v1.ListTopicsResponse;
import io.e4j.api.v1.NewDeviceKeyRequest;
import io.e4j.api.v1.NewDeviceKeyResponse;
import io.e4j.api.v1.RemoveDeviceRequest;
import io.e4j.api.v1.RemoveDeviceResponse;
import io.e4j.api.v1.ResetDeviceRequest;
import io.e4j.api.v1.ResetDeviceResponse;
import io.e4j.api.v1.ResyncDeviceRequest;
import io.e4j.api.v1.ResyncDeviceResponse;
import io.e4j.api.v1.RevokeBrokerCredentialRequest;
import io.e4j.api.v1.RevokeBrokerCredentialResponse;
import io.e4j.server.BatchItem;
import io.e4j.server.BrokerCredential;
import io.e4j.server.C2Exception;
import io.e4j.server.CreatedDevice;
import io.e4j.server.DeviceRef;
import io.e4j.server.DeviceStatus;
import io.e4j.server.NewDevice;
import io.e4j.server.TopicLag;
import io.e4j.server.internal.operations.CallerService;
import java.util.ArrayList;
import java.util.List;

/**
 * The API's calls about devices: requests to calls of {@link CallerService}, results to responses.
 */
final class DeviceCalls {
  private DeviceCalls() {}

  private static final int DEFAULT_DELIVERIES = 20;

  private static CreateDeviceResponse created(CreatedDevice created) {
    CreateDeviceResponse.Builder response =
        CreateDeviceResponse.newBuilder().setDevice(Protos.device(created.device()));
    created.generatedKey().ifPresent(key -> response.setGeneratedKey(Protos.bytes(key)));
    return response.build();
  }

  static CreateDeviceResponse createDevice(CallerService ops, CreateDeviceRequest request) {
    NewDevice device = Protos.argument(ops, "CreateDevice", () -> Protos.newDevice(request));
    return created(ops.createDevice(device));
  }

  static CreateDevicesResponse createDevices(CallerService ops, CreateDevicesRequest request) {
    List<NewDevice> valid = new ArrayList<>();
    List<Integer> indexes = new ArrayList<>();
    CreateDeviceResult[] results = new CreateDeviceResult[request.getDevicesCount()];
    for (int i = 0; i < request.getDevicesCount(); i++) {
      try {
        valid.add(Protos.newDevice(request.getDevices(i)));
        indexes.add(i);
      } catch (C2Exception e) {
        results[i] = CreateDeviceResult.newBuilder().setIndex(i).setError(Protos.error(e)).build();
      }
    }
    if (!valid.isEmpty()) {
      for (BatchItem<CreatedDevice> item : ops.createDevices(valid)) {
        int index = indexes.get(item.index());
        CreateDeviceResult.Builder result = CreateDeviceResult.newBuilder().setIndex(index);
        item.result().ifPresent(device -> result.setCreated(created(device)));
        item.error().ifPresent(e -> result.setError(Protos.error(e)));
        results[index] = result.build();
      }
    }
    CreateDevicesResponse.Builder response = CreateDevicesResponse.newBuilder();
    for (CreateDeviceResult result : results) {
      response.addResults(result);
      if (result.hasCreated()) {
        response.setCreated(response.getCreated() + 1);
      } else {
        response.setFailed(response.getFailed() + 1);
      }
    }
    return response.build();
  }

  static RemoveDeviceResponse removeDevice(CallerService ops, RemoveDeviceRequest request) {
    ops.removeDevice(Protos.argumentDevice(ops, "RemoveDevice", request.getDevice()));
    return RemoveDeviceResponse.getDefaultInstance();
  }

  static GetDeviceResponse getDevice(CallerService ops, GetDeviceRequest request) {
    DeviceRef ref = Protos.device(request.getDevice());
    return GetDeviceResponse.newBuilder()
        .setDevice(Protos.device(ops.device(ref)))
        .setTopicCount(ops.topicCountOf(ref))
        .build();
  }

  static ListDevicesResponse listDevices(CallerService ops, ListDevicesRequest request) {
    return Protos.devices(
        ops.devices(
            request.getNamePrefix(),
            request.getPageToken(),
            Protos.pageSize(request.getPageSize())));
  }

  static NewDeviceKeyResponse newDeviceKey(CallerService ops, NewDeviceKeyRequest request) {
    ops.newDeviceKey(Protos.argumentDevice(ops, "NewDeviceKey", request.getDevice()));
    return NewDeviceKeyResponse.getDefaultInstance();
  }

  static ResetDeviceResponse resetDevice(CallerService ops, ResetDeviceRequest request) {
    ops.resetDevice(Protos.argumentDevice(ops, "ResetDevice", request.getDevice()));
    return ResetDeviceResponse.getDefaultInstance();
  }

  static ResyncDeviceResponse resyncDevice(CallerService ops, ResyncDeviceRequest request) {
    ops.resyncDevice(Protos.argumentDevice(ops, "ResyncDevice", request.getDevice()));
    return ResyncDeviceResponse.getDefaultInstance();
  }

  static IssueBrokerCredentialResponse issueBrokerCredential(
      CallerService ops, IssueBrokerCredentialRequest request) {
    BrokerCredential issued =
        ops.issueBrokerCredential(
            Protos.argumentDevice(ops, "IssueBrokerCredential", request.getDevice()));
    return IssueBrokerCredentialResponse.newBuilder()
        .setDevice(Protos.device(issued.device()))
        .setCredential(issued.secret())
        .setIssuedAt(Protos.timestamp(issued.issuedAt()))
        .build();
  }

  static RevokeBrokerCredentialResponse revokeBrokerCredential(
      CallerService ops, RevokeBrokerCredentialRequest request) {
    ops.revokeBrokerCredential(
        Protos.argumentDevice(ops, "RevokeBrokerCredential", request.getDevice()));
    return RevokeBrokerCredentialResponse.getDefaultInstance();
  }

  static ListTopicsResponse listDeviceTopics(CallerService ops, ListDeviceTopicsRequest request) {
    return Protos.topics(
        ops.topicsOf(
            Protos.device(request.getDevice()),
            request.getPageToken(),
            Protos.pageSize(request.getPageSize())));
  }

  static ListDeliveriesResponse listDeliveries(CallerService ops, ListDeliveriesRequest request) {
    int limit = request.getLimit() == 0 ? DEFAULT_DELIVERIES : request.getLimit();
    ListDeliveriesResponse.Builder response = ListDeliveriesResponse.newBuilder();
    ops.deliveries(Protos.device(request.getDevice()), limit)
        .forEach(delivery -> response.addDeliveries(Protos.delivery(delivery)));
    return response.build();
  }

  static GetDeviceStatusResponse getDeviceStatus(
      CallerService ops, GetDeviceStatusRequest request) {
    DeviceStatus status =
        ops.deviceStatus(Protos.device(request.getDevice()), request.getBehindLimit());
    GetDeviceStatusResponse.Builder response =
        GetDeviceStatusResponse.newBuilder()
            .setDevice(Protos.device(status.device()))
            .setOwnKeyCurrent(status.ownKeyCurrent().orElse(false))
            .setLinkedTopics(status.linkedTopics())
            .setTopicsOnCurrentKey(status.topicsOnCurrentKey())
            .setUnsentCommands(status.unsentCommands());
    status.lastSeen().map(Protos::timestamp).ifPresent(response::setLastSeen);
    status.subscribedAt().map(Protos::timestamp).ifPresent(response::setSubscribedAt);
    status.lastReport().map(Protos::timestamp).ifPresent(response::setLastReport);
    status.appliedCommandsThrough().ifPresent(response::setAppliedCommandsThrough);
    status.staleSince().map(Protos::timestamp).ifPresent(response::setStaleSince);
    status
        .brokerCredentialIssuedAt()
        .map(Protos::timestamp)
        .ifPresent(response::setBrokerCredentialIssuedAt);
    for (TopicLag lag : status.behind()) {
      response.addBehind(
          io.e4j.api.v1.TopicLag.newBuilder()
              .setTopic(lag.topic())
              .setCurrentVersion(lag.currentVersion())
              .setConfirmedVersion(lag.confirmedVersion().orElse(0))
              .setDueSince(Protos.timestamp(lag.dueSince())));
    }
    return response.build();
  }
}
