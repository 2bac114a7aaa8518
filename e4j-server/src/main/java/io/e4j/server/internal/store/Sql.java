package io.e4j.server.internal.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Conversions both H2 and PostgreSQL agree on. */
public final class Sql {
  private Sql() {}

  /** Instants travel as {@code TIMESTAMP WITH TIME ZONE} values in UTC. */
  public static OffsetDateTime at(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  public static Instant instant(ResultSet row, String column) throws SQLException {
    OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  /** A LIKE pattern matching values that start with {@code prefix}, escaping with {@code \}. */
  public static String startsWith(String prefix) {
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
  }
}
