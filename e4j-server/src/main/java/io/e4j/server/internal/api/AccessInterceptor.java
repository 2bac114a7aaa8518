package io.e4j.server.internal.api;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.e4j.api.v1.C2Grpc;
import io.e4j.server.internal.journal.Caller;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.netty.util.AttributeKey;

/**
 * Lets a gRPC call (or its HTTP/JSON form) through only with a token whose role allows it; the
 * caller then rides in the request's context.
 */
final class AccessInterceptor implements ServerInterceptor {
  static final AttributeKey<Caller> CALLER =
      AttributeKey.valueOf(AccessInterceptor.class, "CALLER");

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final Access access;

  AccessInterceptor(Access access) {
    this.access = access;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    MethodDescriptor<Q, R> method = call.getMethodDescriptor();
    String operation = method.getBareMethodName();
    boolean ofC2 = C2Grpc.SERVICE_NAME.equals(method.getServiceName());
    Access.Decision decision =
        access.check(headers.get(AUTHORIZATION), operation, Access.needed(operation, ofC2), "");
    if (!decision.allowed()) {
      Status status = decision.authenticated() ? Status.PERMISSION_DENIED : Status.UNAUTHENTICATED;
      call.close(status.withDescription(decision.refusal()), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    ServiceRequestContext.current().setAttr(CALLER, decision.caller().orElseThrow());
    return next.startCall(call, headers);
  }
}
