package io.e4j.cli.internal;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.ClientFactoryBuilder;
import com.linecorp.armeria.client.grpc.GrpcClientBuilder;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.auth.AuthToken;
import io.e4j.api.v1.C2Grpc;
import java.net.URI;
import java.time.Duration;

/**
 * A connection to C2's gRPC API, as the caller's token, accepting only the certificates of the
 * target's trust. Close it when done: it owns its connections.
 */
public final class C2Connection implements AutoCloseable {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  // A batch of 1,000 devices or a long page may take a while on a loaded server.
  private static final Duration CALL_TIMEOUT = Duration.ofMinutes(2);

  private final URI endpoint;
  private final ClientFactory factory;
  private final C2Grpc.C2BlockingStub blocking;
  private final C2Grpc.C2Stub streaming;

  private C2Connection(
      URI endpoint,
      ClientFactory factory,
      C2Grpc.C2BlockingStub blocking,
      C2Grpc.C2Stub streaming) {
    this.endpoint = endpoint;
    this.factory = factory;
    this.blocking = blocking;
    this.streaming = streaming;
  }

  public static C2Connection open(Target target) {
    String token = target.token().read();
    ClientFactoryBuilder factoryBuilder = ClientFactory.builder().connectTimeout(CONNECT_TIMEOUT);
    target
        .trust()
        .trustManager()
        .ifPresent(
            trustManager -> factoryBuilder.tlsCustomizer(tls -> tls.trustManager(trustManager)));
    ClientFactory factory = factoryBuilder.build();
    C2Grpc.C2BlockingStub blocking =
        client(target.endpoint(), factory, token)
            .responseTimeout(CALL_TIMEOUT)
            .build(C2Grpc.C2BlockingStub.class);
    C2Grpc.C2Stub streaming =
        client(target.endpoint(), factory, token)
            .responseTimeoutMillis(0)
            .maxResponseLength(0)
            .build(C2Grpc.C2Stub.class);
    return new C2Connection(target.endpoint(), factory, blocking, streaming);
  }

  private static GrpcClientBuilder client(URI endpoint, ClientFactory factory, String token) {
    return GrpcClients.builder(endpoint).factory(factory).auth(AuthToken.ofOAuth2(token));
  }

  public URI endpoint() {
    return endpoint;
  }

  /** Unary calls, each with a two-minute deadline. */
  public C2Grpc.C2BlockingStub c2() {
    return blocking;
  }

  /** For calls that stream without end (StreamEvents). */
  public C2Grpc.C2Stub streaming() {
    return streaming;
  }

  @Override
  public void close() {
    factory.close();
  }
}
