package io.e4j.server.internal.api;

import io.e4j.api.v1.CreateTopicRequest;
import io.e4j.api.v1.CreateTopicResponse;
import io.e4j.api.v1.GetTopicRequest;
import io.e4j.api.v1.GetTopicResponse;
import io.e4j.api.v1.GetTopicStatusRequest;
import io.e4j.api.v1.GetTopicStatusResponse;
import io.e4j.api.v1.LinkDevicesRequest;
import io.e4j.api.v1.LinkDevicesResponse;
import io.e4j.api.v1.LinkRequest;
import io.e4j.api.v1.LinkResponse;
import io.e4j.api.v1.LinkResult;
import io.e4j.api.v1.ListDevicesResponse;
import io.e4j.api.v1.ListTopicDevicesRequest;
import io.e4j.api.v1.ListTopicsRequest;
import io.e4j.api.v1.ListTopicsResponse;
import io.e4j.api.v1.RemoveTopicRequest;
import io.e4j.api.v1.RemoveTopicResponse;
import io.e4j.api.v1.RotateTopicRequest;
import io.e4j.api.v1.RotateTopicResponse;
import io.e4j.api.v1.UnlinkRequest;
import io.e4j.api.v1.UnlinkResponse;
import io.e4j.server.BatchItem;
import io.e4j.server.C2Exception;
import io.e4j.server.DeviceLag;
import io.e4j.server.DeviceRef;
import io.e4j.server.TopicStatus;
import io.e4j.server.internal.operations.CallerService;
import java.util.ArrayList;
import java.util.List;

/**
 * The API's calls about topics and links: requests to calls of {@link CallerService}, results to
 * responses.
 */
final class TopicCalls {
  private TopicCalls() {}

  static CreateTopicResponse createTopic(CallerService ops, CreateTopicRequest request) {
    return CreateTopicResponse.newBuilder()
        .setTopic(Protos.topic(ops.createTopic(request.getTopic())))
        .build();
  }

  static RemoveTopicResponse removeTopic(CallerService ops, RemoveTopicRequest request) {
    ops.removeTopic(request.getTopic());
    return RemoveTopicResponse.getDefaultInstance();
  }

  static GetTopicResponse getTopic(CallerService ops, GetTopicRequest request) {
    return GetTopicResponse.newBuilder()
        .setTopic(Protos.topic(ops.topic(request.getTopic())))
        .setDeviceCount(ops.deviceCountOf(request.getTopic()))
        .build();
  }

  static GetTopicStatusResponse getTopicStatus(CallerService ops, GetTopicStatusRequest request) {
    TopicStatus status = ops.topicStatus(request.getTopic(), request.getBehindLimit());
    GetTopicStatusResponse.Builder response =
        GetTopicStatusResponse.newBuilder()
            .setTopic(Protos.topic(status.topic()))
            .setLinkedDevices(status.linkedDevices())
            .setOnCurrentKey(status.onCurrentKey())
            .setReportingDevices(status.reportingDevices())
            .setAt(Protos.timestamp(status.at()));
    for (DeviceLag lag : status.behind()) {
      io.e4j.api.v1.DeviceLag.Builder behind =
          io.e4j.api.v1.DeviceLag.newBuilder()
              .setDeviceId(lag.device())
              .setDeviceName(lag.name().orElse(""))
              .setConfirmedVersion(lag.confirmedVersion().orElse(0))
              .setDueSince(Protos.timestamp(lag.dueSince()))
              .setReports(lag.reports());
      lag.lastSeen().map(Protos::timestamp).ifPresent(behind::setLastSeen);
      response.addBehind(behind);
    }
    return response.build();
  }

  static ListTopicsResponse listTopics(CallerService ops, ListTopicsRequest request) {
    return Protos.topics(
        ops.topics(
            request.getNamePrefix(),
            request.getPageToken(),
            Protos.pageSize(request.getPageSize())));
  }

  static RotateTopicResponse rotateTopic(CallerService ops, RotateTopicRequest request) {
    return RotateTopicResponse.newBuilder()
        .setTopic(Protos.topic(ops.rotateTopicKey(request.getTopic())))
        .build();
  }

  static ListDevicesResponse listTopicDevices(CallerService ops, ListTopicDevicesRequest request) {
    return Protos.devices(
        ops.devicesOf(
            request.getTopic(), request.getPageToken(), Protos.pageSize(request.getPageSize())));
  }

  static LinkResponse link(CallerService ops, LinkRequest request) {
    ops.link(Protos.argumentDevice(ops, "Link", request.getDevice()), request.getTopic());
    return LinkResponse.getDefaultInstance();
  }

  static LinkDevicesResponse linkDevices(CallerService ops, LinkDevicesRequest request) {
    List<DeviceRef> valid = new ArrayList<>();
    List<Integer> indexes = new ArrayList<>();
    LinkResult[] results = new LinkResult[request.getDevicesCount()];
    for (int i = 0; i < request.getDevicesCount(); i++) {
      try {
        valid.add(Protos.device(request.getDevices(i)));
        indexes.add(i);
      } catch (C2Exception e) {
        results[i] = LinkResult.newBuilder().setIndex(i).setError(Protos.error(e)).build();
      }
    }
    if (!valid.isEmpty()) {
      for (BatchItem<String> item : ops.linkAll(valid, request.getTopic())) {
        int index = indexes.get(item.index());
        LinkResult.Builder result = LinkResult.newBuilder().setIndex(index);
        item.error().ifPresent(e -> result.setError(Protos.error(e)));
        results[index] = result.build();
      }
    }
    LinkDevicesResponse.Builder response = LinkDevicesResponse.newBuilder();
    for (LinkResult result : results) {
      response.addResults(result);
      if (result.hasError()) {
        response.setFailed(response.getFailed() + 1);
      } else {
        response.setLinked(response.getLinked() + 1);
      }
    }
    return response.build();
  }

  static UnlinkResponse unlink(CallerService ops, UnlinkRequest request) {
    ops.unlink(Protos.argumentDevice(ops, "Unlink", request.getDevice()), request.getTopic());
    return UnlinkResponse.getDefaultInstance();
  }
}
