package io.e4j.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClients;
import io.e4j.api.v1.C2Grpc;
import io.e4j.api.v1.CreateTokenRequest;
import io.e4j.api.v1.Role;
import io.e4j.server.node.C2Server;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Clients of a running C2's API that trust its generated certificate: gRPC stubs with a token, and
 * plain HTTP.
 */
final class ApiClients implements AutoCloseable {
  private final C2Server server;
  private final ClientFactory factory;
  private final HttpClient http;

  ApiClients(C2Server server) throws IOException, GeneralSecurityException {
    this.server = server;
    Path certificate = server.apiCertificate().orElseThrow();
    this.factory =
        ClientFactory.builder()
            .tlsCustomizer(tls -> tls.trustManager(certificate.toFile()))
            .build();
    this.http =
        HttpClient.newBuilder()
            .sslContext(trusting(certificate))
            .connectTimeout(Duration.ofSeconds(10))
            .build();
  }

  String base() {
    return "https://127.0.0.1:" + server.apiPort().orElseThrow();
  }

  /** A C2 keeping its data in {@code data}, its API on a free port, commands through a broker. */
  static C2Server startC2(Path data, CryptoMode mode, int brokerPort) {
    return C2Server.start(
        C2Config.defaults(data)
            .withMode(mode)
            .withApi(C2Config.Api.onPort(0))
            .withBroker(C2Config.Mqtt.plain("127.0.0.1", brokerPort)),
        Clock.systemUTC(),
        Map.of());
  }

  /** A new token, created by {@code admin}. */
  static String token(C2Grpc.C2BlockingStub admin, String name, Role role) {
    return admin
        .createToken(CreateTokenRequest.newBuilder().setName(name).setRole(role).build())
        .getToken();
  }

  /** The bootstrap admin token the server wrote to its data directory. */
  static String adminToken(Path dataDirectory) throws IOException {
    return Files.readString(dataDirectory.resolve(C2Server.ADMIN_TOKEN_FILE), UTF_8).trim();
  }

  C2Grpc.C2BlockingStub grpc(String token) {
    var builder = GrpcClients.builder(base()).factory(factory);
    if (token != null) {
      builder.addHeader("authorization", "Bearer " + token);
    }
    return builder.build(C2Grpc.C2BlockingStub.class);
  }

  C2Grpc.C2Stub grpcAsync(String token) {
    return GrpcClients.builder(base())
        .factory(factory)
        .addHeader("authorization", "Bearer " + token)
        .responseTimeout(Duration.ZERO)
        .build(C2Grpc.C2Stub.class);
  }

  /** An HTTP request to {@code path}, with the token if not null. */
  HttpResponse<String> send(String method, String path, String token, String json)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base() + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      request.header("content-type", "application/json");
    }
    if (token != null) {
      request.header("authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A streaming HTTP request (Server-Sent Events), read as lines. */
  HttpResponse<java.util.stream.Stream<String>> stream(String path, String token)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(base() + path))
            .header("authorization", "Bearer " + token)
            .header("accept", "text/event-stream")
            .build(),
        HttpResponse.BodyHandlers.ofLines());
  }

  /** A stream of Server-Sent Events resumed after {@code lastEventId}, as browsers resume. */
  HttpResponse<java.util.stream.Stream<String>> streamResuming(
      String path, String token, long lastEventId) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(base() + path))
            .header("authorization", "Bearer " + token)
            .header("accept", "text/event-stream")
            .header("last-event-id", Long.toString(lastEventId))
            .build(),
        HttpResponse.BodyHandlers.ofLines());
  }

  @Override
  public void close() {
    factory.close();
  }

  private static SSLContext trusting(Path certificate)
      throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(certificate)) {
      store.setCertificateEntry(
          "c2", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }
}
