package io.e4j.server;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** {@link C2ServiceContract} on PostgreSQL (Debian's server, started for this class). */
class C2ServicePostgresIT extends C2ServiceContract {
  @TempDir static Path postgresDirectory;
  static Postgres postgres;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = Postgres.start(postgresDirectory);
  }

  @AfterAll
  static void stopPostgres() {
    postgres.close();
  }

  /** Drops everything the previous test left. */
  @Override
  C2Config.Database freshDatabase() throws Exception {
    try (Connection connection =
            DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password());
        Statement statement = connection.createStatement()) {
      statement.execute("DROP SCHEMA public CASCADE");
      statement.execute("CREATE SCHEMA public");
    }
    return currentDatabase();
  }

  @Override
  C2Config.Database currentDatabase() {
    return C2Config.Database.of(postgres.jdbcUrl(), postgres.user(), postgres.password());
  }
}
