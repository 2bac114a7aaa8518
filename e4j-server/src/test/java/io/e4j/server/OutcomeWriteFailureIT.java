package io.e4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.e4j.mqtt.Mosquitto;
import io.e4j.server.Devices.Device;
import io.e4j.server.node.C2Server;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database refuses to record that commands were delivered (a trigger stands in for a failing
 * database): the commands are not sent again meanwhile, and are recorded once it accepts again.
 */
class OutcomeWriteFailureIT {
  @TempDir Path postgresDirectory;
  @TempDir Path brokerDirectory;
  @TempDir Path dataDirectory;

  @Test
  void outcomesThatCannotBeWritten_areKeptUntilTheDatabaseTakesThem() throws Exception {
    try (Postgres postgres = Postgres.start(postgresDirectory);
        Mosquitto broker = Mosquitto.start(brokerDirectory)) {
      C2Config config =
          C2Config.defaults(dataDirectory)
              .withApi(C2Config.Api.disabled())
              .withDatabase(
                  C2Config.Database.of(postgres.jdbcUrl(), postgres.user(), postgres.password()))
              .withBroker(C2Config.Mqtt.plain("127.0.0.1", broker.port()));
      try (C2Server server = C2Server.start(config, Clock.systemUTC(), Map.of());
          Devices devices = new Devices(server.service(), broker.port())) {
        C2Service c2 = server.service();
        c2.createTopic("outcomes/topic");
        Device device = devices.create("outcomes-device");
        execute(
            postgres,
            "CREATE FUNCTION refuse_delivered() RETURNS trigger LANGUAGE plpgsql AS"
                + " $$ BEGIN RAISE EXCEPTION 'outcome writes refused by the test'; END $$",
            "CREATE TRIGGER refuse_delivered BEFORE UPDATE ON command_outbox FOR EACH ROW"
                + " WHEN (NEW.status = 'SENT') EXECUTE FUNCTION refuse_delivered()");

        c2.link(device.ref(), "outcomes/topic");

        await().atMost(Devices.WAIT).until(() -> device.client.hasTopicKey("outcomes/topic"));
        // Several write attempts fail meanwhile (one per second).
        Thread.sleep(Duration.ofSeconds(3).toMillis());
        assertThat(c2.undeliveredCount()).isEqualTo(1);
        execute(postgres, "DROP TRIGGER refuse_delivered ON command_outbox");

        await().atMost(Devices.WAIT).until(() -> c2.undeliveredCount() == 0);
        assertThat(c2.deliveries(device.ref(), 10))
            .singleElement()
            .satisfies(
                delivery -> {
                  assertThat(Devices.taken(delivery)).isEqualTo(DeliveryStatus.SENT);
                  assertThat(delivery.attempts()).isEqualTo(1);
                });
        assertThat(device.commands.get()).isEqualTo(1);
      }
    }
  }

  private static void execute(Postgres postgres, String... statements) throws SQLException {
    try (Connection connection =
            DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password());
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }
}
