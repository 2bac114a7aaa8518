package io.e4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClients;
import io.e4j.api.v1.C2Grpc;
import io.e4j.api.v1.Role;
import io.e4j.api.v1.WhoAmIRequest;
import io.e4j.mqtt.Mosquitto;
import io.e4j.mqtt.TestCertificates;
import io.e4j.server.node.C2Server;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API with an operator's own certificate and mutual TLS: a client without a certificate signed
 * by the configured CA is refused before any token is read.
 */
class ApiMutualTlsIT {
  @TempDir Path directory;

  @Test
  void clientsWithoutACertificateOfTheCa_areRefused_othersStillNeedAToken() throws Exception {
    TestCertificates certificates = TestCertificates.create(directory);
    Path data = directory.resolve("c2");
    try (Mosquitto broker = Mosquitto.start(Files.createDirectories(directory.resolve("mqtt")));
        C2Server server =
            C2Server.start(
                C2Config.defaults(data)
                    .withApi(
                        new C2Config.Api(
                            true,
                            "127.0.0.1",
                            0,
                            certificates.serverCertificate(),
                            certificates.serverKey(),
                            certificates.caCertificate()))
                    .withBroker(C2Config.Mqtt.plain("127.0.0.1", broker.port())),
                Clock.systemUTC(),
                Map.of())) {
      String endpoint = "https://127.0.0.1:" + server.apiPort().orElseThrow();
      String token = ApiClients.adminToken(data);
      assertThat(server.apiCertificate()).contains(certificates.serverCertificate());

      try (ClientFactory anonymous =
          factory(tls -> tls.trustManager(certificates.caCertificate().toFile()))) {
        assertThatThrownBy(() -> whoAmI(endpoint, anonymous, token))
            .isInstanceOf(StatusRuntimeException.class);
      }
      try (ClientFactory withCertificate =
          factory(
              tls ->
                  tls.trustManager(certificates.caCertificate().toFile())
                      .keyManager(
                          certificates.serverCertificate().toFile(),
                          certificates.serverKey().toFile()))) {
        assertThat(whoAmI(endpoint, withCertificate, token).getRole()).isEqualTo(Role.ADMIN);
        assertThatThrownBy(() -> whoAmI(endpoint, withCertificate, null))
            .isInstanceOf(StatusRuntimeException.class)
            .hasMessageContaining("UNAUTHENTICATED");
      }
    }
  }

  private static ClientFactory factory(Consumer<io.netty.handler.ssl.SslContextBuilder> tls) {
    return ClientFactory.builder().tlsCustomizer(tls).build();
  }

  private static io.e4j.api.v1.WhoAmIResponse whoAmI(
      String endpoint, ClientFactory factory, String token) {
    var builder = GrpcClients.builder(endpoint).factory(factory);
    if (token != null) {
      builder.addHeader("authorization", "Bearer " + token);
    }
    return builder.build(C2Grpc.C2BlockingStub.class).whoAmI(WhoAmIRequest.getDefaultInstance());
  }
}
