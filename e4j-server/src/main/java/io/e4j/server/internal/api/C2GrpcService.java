package io.e4j.server.internal.api;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.e4j.api.v1.C2Grpc;
import io.e4j.api.v1.CreateDeviceRequest;
import io.e4j.api.v1.CreateDeviceResponse;
import io.e4j.api.v1.CreateDeviceResult;
import io.e4j.api.v1.CreateDevicesRequest;
import io.e4j.api.v1.CreateDevicesResponse;
import io.e4j.api.v1.CreateTokenRequest;
import io.e4j.api.v1.CreateTokenResponse;
import io.e4j.api.v1.CreateTopicRequest;
import io.e4j.api.v1.CreateTopicResponse;
import io.e4j.api.v1.Event;
import io.e4j.api.v1.GetC2PublicKeyRequest;
import io.e4j.api.v1.GetC2PublicKeyResponse;
import io.e4j.api.v1.GetCountsRequest;
import io.e4j.api.v1.GetCountsResponse;
import io.e4j.api.v1.GetCryptoModeRequest;
import io.e4j.api.v1.GetCryptoModeResponse;
import io.e4j.api.v1.GetDeviceRequest;
import io.e4j.api.v1.GetDeviceResponse;
import io.e4j.api.v1.GetTopicRequest;
import io.e4j.api.v1.GetTopicResponse;
import io.e4j.api.v1.LinkDevicesRequest;
import io.e4j.api.v1.LinkDevicesResponse;
import io.e4j.api.v1.LinkRequest;
import io.e4j.api.v1.LinkResponse;
import io.e4j.api.v1.LinkResult;
import io.e4j.api.v1.ListAuditRequest;
import io.e4j.api.v1.ListAuditResponse;
import io.e4j.api.v1.ListDeliveriesRequest;
import io.e4j.api.v1.ListDeliveriesResponse;
import io.e4j.api.v1.ListDeviceTopicsRequest;
import io.e4j.api.v1.ListDevicesRequest;
import io.e4j.api.v1.ListDevicesResponse;
import io.e4j.api.v1.ListEventsRequest;
import io.e4j.api.v1.ListEventsResponse;
import io.e4j.api.v1.ListPublicKeysRequest;
import io.e4j.api.v1.ListTokensRequest;
import io.e4j.api.v1.ListTokensResponse;
import io.e4j.api.v1.ListTopicDevicesRequest;
import io.e4j.api.v1.ListTopicsRequest;
import io.e4j.api.v1.ListTopicsResponse;
import io.e4j.api.v1.NewC2KeyRequest;
import io.e4j.api.v1.NewC2KeyResponse;
import io.e4j.api.v1.NewDeviceKeyRequest;
import io.e4j.api.v1.NewDeviceKeyResponse;
import io.e4j.api.v1.ProtectMessageRequest;
import io.e4j.api.v1.ProtectMessageResponse;
import io.e4j.api.v1.RemoveDeviceRequest;
import io.e4j.api.v1.RemoveDeviceResponse;
import io.e4j.api.v1.RemovePublicKeyRequest;
import io.e4j.api.v1.RemovePublicKeyResponse;
import io.e4j.api.v1.RemoveTopicRequest;
import io.e4j.api.v1.RemoveTopicResponse;
import io.e4j.api.v1.ResetDeviceRequest;
import io.e4j.api.v1.ResetDeviceResponse;
import io.e4j.api.v1.ResetPublicKeysRequest;
import io.e4j.api.v1.ResetPublicKeysResponse;
import io.e4j.api.v1.ResyncDeviceRequest;
import io.e4j.api.v1.ResyncDeviceResponse;
import io.e4j.api.v1.RevokeTokenRequest;
import io.e4j.api.v1.RevokeTokenResponse;
import io.e4j.api.v1.RotateTopicRequest;
import io.e4j.api.v1.RotateTopicResponse;
import io.e4j.api.v1.SendPublicKeyRequest;
import io.e4j.api.v1.SendPublicKeyResponse;
import io.e4j.api.v1.StreamEventsRequest;
import io.e4j.api.v1.UnlinkRequest;
import io.e4j.api.v1.UnlinkResponse;
import io.e4j.api.v1.UnprotectMessageRequest;
import io.e4j.api.v1.UnprotectMessageResponse;
import io.e4j.api.v1.WhoAmIRequest;
import io.e4j.api.v1.WhoAmIResponse;
import io.e4j.server.BatchItem;
import io.e4j.server.C2Exception;
import io.e4j.server.CreatedDevice;
import io.e4j.server.DeviceInfo;
import io.e4j.server.DeviceRef;
import io.e4j.server.NewDevice;
import io.e4j.server.Page;
import io.e4j.server.TopicInfo;
import io.e4j.server.UnprotectedMessage;
import io.e4j.server.internal.journal.Caller;
import io.e4j.server.internal.operations.CallerService;
import io.e4j.server.internal.tokens.ApiTokens;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's operations, each made as its caller (see {@link AccessInterceptor}): requests become
 * calls of {@link CallerService}, results and refusals become responses. Runs on Armeria's blocking
 * task executor.
 */
final class C2GrpcService extends C2Grpc.C2ImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(C2GrpcService.class);
  private static final int DEFAULT_DELIVERIES = 20;

  private final CallerService operations;
  private final ApiTokens tokens;
  private final EventFollower events;

  C2GrpcService(CallerService operations, ApiTokens tokens, EventFollower events) {
    this.operations = operations;
    this.tokens = tokens;
    this.events = events;
  }

  @Override
  public void getCryptoMode(
      GetCryptoModeRequest request, StreamObserver<GetCryptoModeResponse> out) {
    reply(out, () -> GetCryptoModeResponse.newBuilder().setMode(Protos.mode(ops().mode())).build());
  }

  @Override
  public void getCounts(GetCountsRequest request, StreamObserver<GetCountsResponse> out) {
    reply(
        out,
        () ->
            GetCountsResponse.newBuilder()
                .setDevices(ops().deviceCount())
                .setTopics(ops().topicCount())
                .setUndeliveredCommands(ops().undeliveredCount())
                .build());
  }

  // --- devices --------------------------------------------------------------------------------

  @Override
  public void createDevice(CreateDeviceRequest request, StreamObserver<CreateDeviceResponse> out) {
    reply(
        out,
        () -> {
          NewDevice device = parsed("CreateDevice", () -> Protos.newDevice(request));
          return created(ops().createDevice(device));
        });
  }

  @Override
  public void createDevices(
      CreateDevicesRequest request, StreamObserver<CreateDevicesResponse> out) {
    reply(
        out,
        () -> {
          List<NewDevice> valid = new ArrayList<>();
          List<Integer> indexes = new ArrayList<>();
          CreateDeviceResult[] results = new CreateDeviceResult[request.getDevicesCount()];
          for (int i = 0; i < request.getDevicesCount(); i++) {
            try {
              valid.add(Protos.newDevice(request.getDevices(i)));
              indexes.add(i);
            } catch (C2Exception e) {
              results[i] =
                  CreateDeviceResult.newBuilder().setIndex(i).setError(Protos.error(e)).build();
            }
          }
          if (!valid.isEmpty()) {
            for (BatchItem<CreatedDevice> item : ops().createDevices(valid)) {
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
        });
  }

  private static CreateDeviceResponse created(CreatedDevice created) {
    CreateDeviceResponse.Builder response =
        CreateDeviceResponse.newBuilder().setDevice(Protos.device(created.device()));
    created.generatedKey().ifPresent(key -> response.setGeneratedKey(Protos.bytes(key)));
    return response.build();
  }

  @Override
  public void removeDevice(RemoveDeviceRequest request, StreamObserver<RemoveDeviceResponse> out) {
    reply(
        out,
        () -> {
          ops().removeDevice(device("RemoveDevice", request.getDevice()));
          return RemoveDeviceResponse.getDefaultInstance();
        });
  }

  @Override
  public void getDevice(GetDeviceRequest request, StreamObserver<GetDeviceResponse> out) {
    reply(
        out,
        () -> {
          DeviceRef ref = Protos.device(request.getDevice());
          return GetDeviceResponse.newBuilder()
              .setDevice(Protos.device(ops().device(ref)))
              .setTopicCount(ops().topicCountOf(ref))
              .build();
        });
  }

  @Override
  public void listDevices(ListDevicesRequest request, StreamObserver<ListDevicesResponse> out) {
    reply(
        out,
        () ->
            devices(
                ops()
                    .devices(
                        request.getNamePrefix(),
                        request.getPageToken(),
                        Protos.pageSize(request.getPageSize()))));
  }

  @Override
  public void newDeviceKey(NewDeviceKeyRequest request, StreamObserver<NewDeviceKeyResponse> out) {
    reply(
        out,
        () -> {
          ops().newDeviceKey(device("NewDeviceKey", request.getDevice()));
          return NewDeviceKeyResponse.getDefaultInstance();
        });
  }

  @Override
  public void resetDevice(ResetDeviceRequest request, StreamObserver<ResetDeviceResponse> out) {
    reply(
        out,
        () -> {
          ops().resetDevice(device("ResetDevice", request.getDevice()));
          return ResetDeviceResponse.getDefaultInstance();
        });
  }

  @Override
  public void resyncDevice(ResyncDeviceRequest request, StreamObserver<ResyncDeviceResponse> out) {
    reply(
        out,
        () -> {
          ops().resyncDevice(device("ResyncDevice", request.getDevice()));
          return ResyncDeviceResponse.getDefaultInstance();
        });
  }

  @Override
  public void listDeviceTopics(
      ListDeviceTopicsRequest request, StreamObserver<ListTopicsResponse> out) {
    reply(
        out,
        () ->
            topics(
                ops()
                    .topicsOf(
                        Protos.device(request.getDevice()),
                        request.getPageToken(),
                        Protos.pageSize(request.getPageSize()))));
  }

  @Override
  public void listDeliveries(
      ListDeliveriesRequest request, StreamObserver<ListDeliveriesResponse> out) {
    reply(
        out,
        () -> {
          int limit = request.getLimit() == 0 ? DEFAULT_DELIVERIES : request.getLimit();
          ListDeliveriesResponse.Builder response = ListDeliveriesResponse.newBuilder();
          ops()
              .deliveries(Protos.device(request.getDevice()), limit)
              .forEach(delivery -> response.addDeliveries(Protos.delivery(delivery)));
          return response.build();
        });
  }

  // --- topics ---------------------------------------------------------------------------------

  @Override
  public void createTopic(CreateTopicRequest request, StreamObserver<CreateTopicResponse> out) {
    reply(
        out,
        () ->
            CreateTopicResponse.newBuilder()
                .setTopic(Protos.topic(ops().createTopic(request.getTopic())))
                .build());
  }

  @Override
  public void removeTopic(RemoveTopicRequest request, StreamObserver<RemoveTopicResponse> out) {
    reply(
        out,
        () -> {
          ops().removeTopic(request.getTopic());
          return RemoveTopicResponse.getDefaultInstance();
        });
  }

  @Override
  public void getTopic(GetTopicRequest request, StreamObserver<GetTopicResponse> out) {
    reply(
        out,
        () ->
            GetTopicResponse.newBuilder()
                .setTopic(Protos.topic(ops().topic(request.getTopic())))
                .setDeviceCount(ops().deviceCountOf(request.getTopic()))
                .build());
  }

  @Override
  public void listTopics(ListTopicsRequest request, StreamObserver<ListTopicsResponse> out) {
    reply(
        out,
        () ->
            topics(
                ops()
                    .topics(
                        request.getNamePrefix(),
                        request.getPageToken(),
                        Protos.pageSize(request.getPageSize()))));
  }

  @Override
  public void rotateTopic(RotateTopicRequest request, StreamObserver<RotateTopicResponse> out) {
    reply(
        out,
        () ->
            RotateTopicResponse.newBuilder()
                .setTopic(Protos.topic(ops().rotateTopicKey(request.getTopic())))
                .build());
  }

  @Override
  public void listTopicDevices(
      ListTopicDevicesRequest request, StreamObserver<ListDevicesResponse> out) {
    reply(
        out,
        () ->
            devices(
                ops()
                    .devicesOf(
                        request.getTopic(),
                        request.getPageToken(),
                        Protos.pageSize(request.getPageSize()))));
  }

  // --- links ----------------------------------------------------------------------------------

  @Override
  public void link(LinkRequest request, StreamObserver<LinkResponse> out) {
    reply(
        out,
        () -> {
          ops().link(device("Link", request.getDevice()), request.getTopic());
          return LinkResponse.getDefaultInstance();
        });
  }

  @Override
  public void linkDevices(LinkDevicesRequest request, StreamObserver<LinkDevicesResponse> out) {
    reply(
        out,
        () -> {
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
            for (BatchItem<String> item : ops().linkAll(valid, request.getTopic())) {
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
        });
  }

  @Override
  public void unlink(UnlinkRequest request, StreamObserver<UnlinkResponse> out) {
    reply(
        out,
        () -> {
          ops().unlink(device("Unlink", request.getDevice()), request.getTopic());
          return UnlinkResponse.getDefaultInstance();
        });
  }

  // --- public keys ----------------------------------------------------------------------------

  @Override
  public void sendPublicKey(
      SendPublicKeyRequest request, StreamObserver<SendPublicKeyResponse> out) {
    reply(
        out,
        () -> {
          ops()
              .sendPublicKey(
                  device("SendPublicKey", request.getSubject()),
                  device("SendPublicKey", request.getHolder()));
          return SendPublicKeyResponse.getDefaultInstance();
        });
  }

  @Override
  public void removePublicKey(
      RemovePublicKeyRequest request, StreamObserver<RemovePublicKeyResponse> out) {
    reply(
        out,
        () -> {
          ops()
              .removePublicKey(
                  device("RemovePublicKey", request.getSubject()),
                  device("RemovePublicKey", request.getHolder()));
          return RemovePublicKeyResponse.getDefaultInstance();
        });
  }

  @Override
  public void resetPublicKeys(
      ResetPublicKeysRequest request, StreamObserver<ResetPublicKeysResponse> out) {
    reply(
        out,
        () -> {
          ops().resetPublicKeys(device("ResetPublicKeys", request.getHolder()));
          return ResetPublicKeysResponse.getDefaultInstance();
        });
  }

  @Override
  public void listPublicKeys(
      ListPublicKeysRequest request, StreamObserver<ListDevicesResponse> out) {
    reply(
        out,
        () ->
            devices(
                ops()
                    .publicKeysHeldBy(
                        Protos.device(request.getHolder()),
                        request.getPageToken(),
                        Protos.pageSize(request.getPageSize()))));
  }

  @Override
  public void newC2Key(NewC2KeyRequest request, StreamObserver<NewC2KeyResponse> out) {
    reply(
        out,
        () -> {
          ops().newC2Key();
          return NewC2KeyResponse.newBuilder()
              .setPublicKey(Protos.bytes(ops().c2PublicKey()))
              .build();
        });
  }

  @Override
  public void getC2PublicKey(
      GetC2PublicKeyRequest request, StreamObserver<GetC2PublicKeyResponse> out) {
    reply(
        out,
        () ->
            GetC2PublicKeyResponse.newBuilder()
                .setPublicKey(Protos.bytes(ops().c2PublicKey()))
                .build());
  }

  // --- messages -------------------------------------------------------------------------------

  @Override
  public void protectMessage(
      ProtectMessageRequest request, StreamObserver<ProtectMessageResponse> out) {
    reply(
        out,
        () ->
            ProtectMessageResponse.newBuilder()
                .setProtectedMessage(
                    Protos.bytes(
                        ops()
                            .protectMessage(
                                request.getTopic(), request.getPayload().toByteArray())))
                .build());
  }

  @Override
  public void unprotectMessage(
      UnprotectMessageRequest request, StreamObserver<UnprotectMessageResponse> out) {
    reply(
        out,
        () -> {
          UnprotectedMessage opened =
              ops()
                  .unprotectMessage(
                      request.getTopic(), request.getProtectedMessage().toByteArray());
          UnprotectMessageResponse.Builder response =
              UnprotectMessageResponse.newBuilder().setPayload(Protos.bytes(opened.payload()));
          opened.senderId().ifPresent(response::setSenderId);
          return response.build();
        });
  }

  // --- events and audit -----------------------------------------------------------------------

  @Override
  public void listEvents(ListEventsRequest request, StreamObserver<ListEventsResponse> out) {
    reply(
        out,
        () -> {
          ListEventsResponse.Builder response =
              ListEventsResponse.newBuilder().setLastSequence(ops().lastEventSequence());
          ops()
              .events(request.getAfter(), Protos.pageSize(request.getLimit()))
              .forEach(event -> response.addEvents(Protos.event(event)));
          return response.build();
        });
  }

  @Override
  public void streamEvents(StreamEventsRequest request, StreamObserver<Event> out) {
    // A stream lasts as long as its client wants it.
    ServiceRequestContext.current().clearRequestTimeout();
    events.follow(request.getAfter(), (ServerCallStreamObserver<Event>) out);
  }

  @Override
  public void listAudit(ListAuditRequest request, StreamObserver<ListAuditResponse> out) {
    reply(
        out,
        () -> {
          ListAuditResponse.Builder response = ListAuditResponse.newBuilder();
          ops()
              .audit(
                  request.getBefore(),
                  Protos.pageSize(request.getLimit()),
                  request.getActor().isEmpty() ? Optional.empty() : Optional.of(request.getActor()))
              .forEach(record -> response.addRecords(Protos.audit(record)));
          return response.build();
        });
  }

  // --- tokens ---------------------------------------------------------------------------------

  @Override
  public void createToken(CreateTokenRequest request, StreamObserver<CreateTokenResponse> out) {
    reply(
        out,
        () -> {
          ApiTokens.Created created =
              tokens.create(
                  request.getName(),
                  parsed("CreateToken", () -> Protos.role(request.getRole())),
                  caller());
          return CreateTokenResponse.newBuilder()
              .setInfo(Protos.token(created.info()))
              .setToken(created.token())
              .build();
        });
  }

  @Override
  public void listTokens(ListTokensRequest request, StreamObserver<ListTokensResponse> out) {
    reply(
        out,
        () -> {
          ListTokensResponse.Builder response = ListTokensResponse.newBuilder();
          tokens.list().forEach(token -> response.addTokens(Protos.token(token)));
          return response.build();
        });
  }

  @Override
  public void revokeToken(RevokeTokenRequest request, StreamObserver<RevokeTokenResponse> out) {
    reply(
        out,
        () -> {
          tokens.revoke(request.getName(), caller());
          return RevokeTokenResponse.getDefaultInstance();
        });
  }

  @Override
  public void whoAmI(WhoAmIRequest request, StreamObserver<WhoAmIResponse> out) {
    reply(
        out,
        () ->
            WhoAmIResponse.newBuilder()
                .setName(caller().name())
                .setRole(Protos.role(caller().role()))
                .build());
  }

  // --- helpers --------------------------------------------------------------------------------

  private static Caller caller() {
    return ServiceRequestContext.current().attr(AccessInterceptor.CALLER);
  }

  private CallerService ops() {
    return operations.as(caller());
  }

  /** A device named in a mutating call's request; a malformed one is recorded as its refusal. */
  private DeviceRef device(String action, io.e4j.api.v1.DeviceRef ref) {
    return parsed(action, () -> Protos.device(ref));
  }

  /** A mutating call's argument; a malformed one refuses the call, and the refusal is recorded. */
  private <T> T parsed(String action, Supplier<T> argument) {
    return ops().argument(action, "", argument);
  }

  private static ListDevicesResponse devices(Page<DeviceInfo> page) {
    ListDevicesResponse.Builder response = ListDevicesResponse.newBuilder();
    page.items().forEach(device -> response.addDevices(Protos.device(device)));
    page.nextCursor().ifPresent(response::setNextPageToken);
    return response.build();
  }

  private static ListTopicsResponse topics(Page<TopicInfo> page) {
    ListTopicsResponse.Builder response = ListTopicsResponse.newBuilder();
    page.items().forEach(topic -> response.addTopics(Protos.topic(topic)));
    page.nextCursor().ifPresent(response::setNextPageToken);
    return response.build();
  }

  /** Answers with {@code call}'s result, or with the status its failure maps to. */
  private static <T> void reply(StreamObserver<T> out, Supplier<T> call) {
    T response;
    try {
      response = call.get();
    } catch (C2Exception e) {
      out.onError(Protos.status(e).asRuntimeException());
      return;
    } catch (RuntimeException e) {
      LOG.error("API call failed", e);
      out.onError(
          Status.INTERNAL
              .withDescription("internal error (see the server's log)")
              .asRuntimeException());
      return;
    }
    out.onNext(response);
    out.onCompleted();
  }
}
