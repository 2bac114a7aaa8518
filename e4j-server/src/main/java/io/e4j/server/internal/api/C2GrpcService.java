package io.e4j.server.internal.api;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.e4j.api.v1.C2Grpc;
import io.e4j.api.v1.CreateDeviceRequest;
import io.e4j.api.v1.CreateDeviceResponse;
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
import io.e4j.api.v1.GetDeviceStatusRequest;
import io.e4j.api.v1.GetDeviceStatusResponse;
import io.e4j.api.v1.GetTopicRequest;
import io.e4j.api.v1.GetTopicResponse;
import io.e4j.api.v1.GetTopicStatusRequest;
import io.e4j.api.v1.GetTopicStatusResponse;
import io.e4j.api.v1.IssueBrokerCredentialRequest;
import io.e4j.api.v1.IssueBrokerCredentialResponse;
import io.e4j.api.v1.LinkDevicesRequest;
import io.e4j.api.v1.LinkDevicesResponse;
import io.e4j.api.v1.LinkRequest;
import io.e4j.api.v1.LinkResponse;
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
import io.e4j.api.v1.RevokeBrokerCredentialRequest;
import io.e4j.api.v1.RevokeBrokerCredentialResponse;
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
import io.e4j.server.C2Exception;
import io.e4j.server.internal.journal.Caller;
import io.e4j.server.internal.operations.CallerService;
import io.e4j.server.internal.tokens.ApiTokens;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
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

  @Override
  public void createDevice(CreateDeviceRequest request, StreamObserver<CreateDeviceResponse> out) {
    reply(out, () -> DeviceCalls.createDevice(ops(), request));
  }

  @Override
  public void createDevices(
      CreateDevicesRequest request, StreamObserver<CreateDevicesResponse> out) {
    reply(out, () -> DeviceCalls.createDevices(ops(), request));
  }

  @Override
  public void removeDevice(RemoveDeviceRequest request, StreamObserver<RemoveDeviceResponse> out) {
    reply(out, () -> DeviceCalls.removeDevice(ops(), request));
  }

  @Override
  public void getDevice(GetDeviceRequest request, StreamObserver<GetDeviceResponse> out) {
    reply(out, () -> DeviceCalls.getDevice(ops(), request));
  }

  @Override
  public void listDevices(ListDevicesRequest request, StreamObserver<ListDevicesResponse> out) {
    reply(out, () -> DeviceCalls.listDevices(ops(), request));
  }

  @Override
  public void newDeviceKey(NewDeviceKeyRequest request, StreamObserver<NewDeviceKeyResponse> out) {
    reply(out, () -> DeviceCalls.newDeviceKey(ops(), request));
  }

  @Override
  public void resetDevice(ResetDeviceRequest request, StreamObserver<ResetDeviceResponse> out) {
    reply(out, () -> DeviceCalls.resetDevice(ops(), request));
  }

  @Override
  public void resyncDevice(ResyncDeviceRequest request, StreamObserver<ResyncDeviceResponse> out) {
    reply(out, () -> DeviceCalls.resyncDevice(ops(), request));
  }

  @Override
  public void issueBrokerCredential(
      IssueBrokerCredentialRequest request, StreamObserver<IssueBrokerCredentialResponse> out) {
    reply(out, () -> DeviceCalls.issueBrokerCredential(ops(), request));
  }

  @Override
  public void revokeBrokerCredential(
      RevokeBrokerCredentialRequest request, StreamObserver<RevokeBrokerCredentialResponse> out) {
    reply(out, () -> DeviceCalls.revokeBrokerCredential(ops(), request));
  }

  @Override
  public void listDeviceTopics(
      ListDeviceTopicsRequest request, StreamObserver<ListTopicsResponse> out) {
    reply(out, () -> DeviceCalls.listDeviceTopics(ops(), request));
  }

  @Override
  public void listDeliveries(
      ListDeliveriesRequest request, StreamObserver<ListDeliveriesResponse> out) {
    reply(out, () -> DeviceCalls.listDeliveries(ops(), request));
  }

  @Override
  public void getDeviceStatus(
      GetDeviceStatusRequest request, StreamObserver<GetDeviceStatusResponse> out) {
    reply(out, () -> DeviceCalls.getDeviceStatus(ops(), request));
  }

  @Override
  public void getTopicStatus(
      GetTopicStatusRequest request, StreamObserver<GetTopicStatusResponse> out) {
    reply(out, () -> TopicCalls.getTopicStatus(ops(), request));
  }

  @Override
  public void createTopic(CreateTopicRequest request, StreamObserver<CreateTopicResponse> out) {
    reply(out, () -> TopicCalls.createTopic(ops(), request));
  }

  @Override
  public void removeTopic(RemoveTopicRequest request, StreamObserver<RemoveTopicResponse> out) {
    reply(out, () -> TopicCalls.removeTopic(ops(), request));
  }

  @Override
  public void getTopic(GetTopicRequest request, StreamObserver<GetTopicResponse> out) {
    reply(out, () -> TopicCalls.getTopic(ops(), request));
  }

  @Override
  public void listTopics(ListTopicsRequest request, StreamObserver<ListTopicsResponse> out) {
    reply(out, () -> TopicCalls.listTopics(ops(), request));
  }

  @Override
  public void rotateTopic(RotateTopicRequest request, StreamObserver<RotateTopicResponse> out) {
    reply(out, () -> TopicCalls.rotateTopic(ops(), request));
  }

  @Override
  public void listTopicDevices(
      ListTopicDevicesRequest request, StreamObserver<ListDevicesResponse> out) {
    reply(out, () -> TopicCalls.listTopicDevices(ops(), request));
  }

  @Override
  public void link(LinkRequest request, StreamObserver<LinkResponse> out) {
    reply(out, () -> TopicCalls.link(ops(), request));
  }

  @Override
  public void linkDevices(LinkDevicesRequest request, StreamObserver<LinkDevicesResponse> out) {
    reply(out, () -> TopicCalls.linkDevices(ops(), request));
  }

  @Override
  public void unlink(UnlinkRequest request, StreamObserver<UnlinkResponse> out) {
    reply(out, () -> TopicCalls.unlink(ops(), request));
  }

  @Override
  public void sendPublicKey(
      SendPublicKeyRequest request, StreamObserver<SendPublicKeyResponse> out) {
    reply(out, () -> KeyCalls.sendPublicKey(ops(), request));
  }

  @Override
  public void removePublicKey(
      RemovePublicKeyRequest request, StreamObserver<RemovePublicKeyResponse> out) {
    reply(out, () -> KeyCalls.removePublicKey(ops(), request));
  }

  @Override
  public void resetPublicKeys(
      ResetPublicKeysRequest request, StreamObserver<ResetPublicKeysResponse> out) {
    reply(out, () -> KeyCalls.resetPublicKeys(ops(), request));
  }

  @Override
  public void listPublicKeys(
      ListPublicKeysRequest request, StreamObserver<ListDevicesResponse> out) {
    reply(out, () -> KeyCalls.listPublicKeys(ops(), request));
  }

  @Override
  public void newC2Key(NewC2KeyRequest request, StreamObserver<NewC2KeyResponse> out) {
    reply(out, () -> KeyCalls.newC2Key(ops(), request));
  }

  @Override
  public void getC2PublicKey(
      GetC2PublicKeyRequest request, StreamObserver<GetC2PublicKeyResponse> out) {
    reply(out, () -> KeyCalls.getC2PublicKey(ops(), request));
  }

  @Override
  public void protectMessage(
      ProtectMessageRequest request, StreamObserver<ProtectMessageResponse> out) {
    reply(out, () -> KeyCalls.protectMessage(ops(), request));
  }

  @Override
  public void unprotectMessage(
      UnprotectMessageRequest request, StreamObserver<UnprotectMessageResponse> out) {
    reply(out, () -> KeyCalls.unprotectMessage(ops(), request));
  }

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

  /** A mutating call's argument; a malformed one refuses the call, and the refusal is recorded. */
  private <T> T parsed(String action, Supplier<T> argument) {
    return ops().argument(action, "", argument);
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
