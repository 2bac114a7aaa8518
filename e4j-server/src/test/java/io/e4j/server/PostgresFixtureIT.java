package io.e4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@link Postgres} fixture itself: a real server that stores bytes and goes away on close. */
class PostgresFixtureIT {

  @BeforeAll
  static void requirePostgres() {
    assertThat(Postgres.available())
        .as(
            "PostgreSQL server programs under /usr/lib/postgresql/*/bin:"
                + " apt-get install -y postgresql (.ci/run does this)")
        .isTrue();
  }

  @Test
  void storesAndReadsBackBytes(@TempDir Path dir) throws Exception {
    byte[] bytes = {0, 1, (byte) 0x80, (byte) 0xff, 0x7f};
    Postgres postgres = Postgres.start(dir);
    try (postgres;
        Connection connection = connect(postgres)) {
      execute(connection, "CREATE TABLE t (b BYTEA)");
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO t VALUES (?)")) {
        insert.setBytes(1, bytes);
        insert.executeUpdate();
      }
      assertThat(queryBytes(connection, "SELECT b FROM t")).containsExactly(bytes);
      assertThat(queryString(connection, "SHOW server_version")).matches("\\d.*");
    }
    // Closed means stopped: nothing listens on its port any more.
    assertThatThrownBy(() -> connect(postgres).close()).isInstanceOf(SQLException.class);
  }

  @Test
  void twoClustersRunAtOnce(@TempDir Path first, @TempDir Path second) throws Exception {
    try (Postgres one = Postgres.start(first);
        Postgres two = Postgres.start(second);
        Connection toOne = connect(one);
        Connection toTwo = connect(two)) {
      assertThat(one.jdbcUrl()).isNotEqualTo(two.jdbcUrl());
      execute(toOne, "CREATE TABLE only_in_one (i INT)");
      assertThat(queryString(toOne, "SELECT to_regclass('only_in_one')")).isEqualTo("only_in_one");
      assertThat(queryString(toTwo, "SELECT to_regclass('only_in_one')")).isNull();
    }
  }

  private static Connection connect(Postgres postgres) throws SQLException {
    return DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password());
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static byte[] queryBytes(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      assertThat(result.next()).isTrue();
      return result.getBytes(1);
    }
  }

  private static String queryString(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      assertThat(result.next()).isTrue();
      return result.getString(1);
    }
  }
}
