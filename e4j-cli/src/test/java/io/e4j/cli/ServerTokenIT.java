package io.e4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClients;
import io.e4j.api.v1.C2Grpc;
import io.e4j.api.v1.Role;
import io.e4j.api.v1.WhoAmIRequest;
import io.e4j.mqtt.Mosquitto;
import io.e4j.server.C2Config;
import io.e4j.server.node.C2Server;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code e4 server token create} makes a token on the store that the running server accepts. */
class ServerTokenIT {
  @TempDir Path directory;

  @Test
  void aTokenCreatedOnTheStore_isAcceptedByTheServer_withItsRole() throws Exception {
    Path data = directory.resolve("c2");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine command = E4Command.commandLine();
    command.setOut(new PrintWriter(out));
    command.setErr(new PrintWriter(err));
    int status =
        command.execute(
            "server",
            "token",
            "create",
            "--data-dir",
            data.toString(),
            "--role",
            "operator",
            "--name",
            "ci");
    assertThat(status).as(err.toString()).isZero();
    String token = out.toString().trim();
    assertThat(token).startsWith("e4t_");

    assertThat(
            E4Command.commandLine()
                .execute(
                    "server",
                    "token",
                    "create",
                    "--data-dir",
                    data.toString(),
                    "--role",
                    "emperor",
                    "--name",
                    "x"))
        .isEqualTo(CommandLine.ExitCode.USAGE);

    try (Mosquitto broker = Mosquitto.start(Files.createDirectories(directory.resolve("mqtt")));
        C2Server server =
            C2Server.start(
                C2Config.defaults(data)
                    .withApi(C2Config.Api.onPort(0))
                    .withBroker(C2Config.Mqtt.plain("127.0.0.1", broker.port())),
                Clock.systemUTC(),
                Map.of());
        ClientFactory factory =
            ClientFactory.builder()
                .tlsCustomizer(
                    tls -> tls.trustManager(server.apiCertificate().orElseThrow().toFile()))
                .build()) {
      var who =
          GrpcClients.builder("https://127.0.0.1:" + server.apiPort().orElseThrow())
              .factory(factory)
              .addHeader("authorization", "Bearer " + token)
              .build(C2Grpc.C2BlockingStub.class)
              .whoAmI(WhoAmIRequest.getDefaultInstance());
      assertThat(who.getName()).isEqualTo("ci");
      assertThat(who.getRole()).isEqualTo(Role.OPERATOR);
      // A store that has tokens already gets no bootstrap token.
      assertThat(data.resolve(C2Server.ADMIN_TOKEN_FILE)).doesNotExist();
    }
  }
}
