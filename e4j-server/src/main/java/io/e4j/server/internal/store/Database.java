package io.e4j.server.internal.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;

/** The key store's connection pool, migrated to the current schema on open. */
public final class Database implements AutoCloseable {
  private static final int TRANSACTION_ATTEMPTS = 5;

  /**
   * How long an H2 transaction waits for a lock (H2's own default is one second): the outbox's
   * writer lock is held for the whole of a fan-out, several seconds for a large fleet.
   */
  private static final Duration H2_LOCK_TIMEOUT = Duration.ofMinutes(1);

  /** Serialization failure, deadlock (PostgreSQL), lock timeout (H2). */
  private static final Set<String> RETRYABLE = Set.of("40001", "40P01", "HYT00");

  private final HikariDataSource dataSource;
  private final Jdbi jdbi;
  private final boolean h2;

  private Database(HikariDataSource dataSource, boolean h2) {
    this.dataSource = dataSource;
    this.jdbi = Jdbi.create(dataSource);
    this.h2 = h2;
  }

  /** Connects, runs the migrations and returns the open database. */
  public static Database open(String url, String user, String password, int poolSize) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(poolSize);
    config.setPoolName("e4j-c2");
    // Set once per connection: asked of each transaction, Jdbi reads the level before and after
    // it, which PostgreSQL's driver answers with a query (4 round trips more per transaction).
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    config.setInitializationFailTimeout(Duration.ofSeconds(30).toMillis());
    if (url.startsWith("jdbc:h2:")) {
      config.setConnectionInitSql("SET LOCK_TIMEOUT " + H2_LOCK_TIMEOUT.toMillis());
    }
    HikariDataSource dataSource;
    try {
      dataSource = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new C2Exception(
          Reason.STORAGE, "cannot connect to the database " + url + ": " + rootMessage(e), e);
    }
    try {
      Flyway.configure()
          .dataSource(dataSource)
          .locations("classpath:db/migration")
          .failOnMissingLocations(true)
          .load()
          .migrate();
    } catch (FlywayException e) {
      dataSource.close();
      throw new C2Exception(
          Reason.STORAGE, "cannot migrate the database " + url + ": " + rootMessage(e), e);
    }
    return new Database(dataSource, url.startsWith("jdbc:h2:"));
  }

  /** Throws unless a connection answers within {@code timeout}. */
  public void checkReachable(Duration timeout) {
    boolean valid;
    try (var connection = dataSource.getConnection()) {
      valid = connection.isValid((int) Math.max(1, timeout.toSeconds()));
    } catch (SQLException e) {
      throw new C2Exception(Reason.STORAGE, "database unreachable: " + e.getMessage(), e);
    }
    if (!valid) {
      throw new C2Exception(Reason.STORAGE, "database did not answer within " + timeout);
    }
  }

  /** Which database this is, for the repositories whose queries differ between them. */
  public Dialect dialect() {
    return h2 ? Dialect.H2 : Dialect.POSTGRESQL;
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  /**
   * Runs {@code work} in one READ COMMITTED transaction, again from the start when the database
   * reports a deadlock or lock timeout; maps other database failures to {@link C2Exception}.
   */
  public <R> R inTransaction(HandleCallback<R, RuntimeException> work) {
    for (int attempt = 1; ; attempt++) {
      try {
        return jdbi.inTransaction(work);
      } catch (RuntimeException e) {
        SQLException sql = sqlCause(e);
        if (sql == null) {
          throw e;
        }
        if (RETRYABLE.contains(sql.getSQLState()) && attempt < TRANSACTION_ATTEMPTS) {
          continue;
        }
        if ("23505".equals(sql.getSQLState())) {
          throw new C2Exception(Reason.ALREADY_EXISTS, "it exists already", e);
        }
        throw new C2Exception(Reason.STORAGE, "database failure: " + rootMessage(e), e);
      }
    }
  }

  /** {@link #inTransaction} for reads. */
  public <R> R read(HandleCallback<R, RuntimeException> work) {
    return inTransaction(work);
  }

  public void useTransaction(java.util.function.Consumer<Handle> work) {
    inTransaction(
        handle -> {
          work.accept(handle);
          return null;
        });
  }

  private static SQLException sqlCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        return sql;
      }
    }
    return null;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage();
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
