package io.e4j.server.internal.journal;

import io.e4j.server.AuditRecord;
import io.e4j.server.C2Event;
import io.e4j.server.EventType;
import io.e4j.server.Role;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.store.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event log and the audit log. Events are appended inside the transaction that makes the change
 * they record, so that an event exists if and only if its change committed; their sequence numbers
 * follow commit order with no gap (see {@code event_log_head} in the schema).
 */
public final class Journal {
  private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
  private static final HexFormat HEX = HexFormat.of();
  private static final int MAX_TEXT = 1_000;

  private final Database database;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition appended = lock.newCondition();
  private long signals;

  public Journal(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /**
   * Appends {@code entries} in this transaction. Takes the event log's lock, held until the
   * transaction ends: call it last, after every other lock the transaction takes.
   */
  public void append(Handle handle, Optional<Caller> actor, List<Entry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    long last =
        handle
            .createQuery("SELECT last_sequence FROM event_log_head WHERE id = 1 FOR UPDATE")
            .mapTo(Long.class)
            .one();
    OffsetDateTime now = Sql.at(clock.instant());
    PreparedBatch rows =
        handle.prepareBatch(
            "INSERT INTO events (sequence, event_type, at, actor, device_id, device_name, topic,"
                + " command_name, device_count, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (Entry entry : entries) {
      rows.add(
          ++last,
          entry.type().name(),
          now,
          actor.map(Caller::name).orElse(null),
          entry.deviceId(),
          entry.deviceName(),
          entry.topic(),
          entry.command(),
          entry.deviceCount(),
          bounded(entry.detail()));
    }
    rows.execute();
    handle.execute("UPDATE event_log_head SET last_sequence = ? WHERE id = 1", last);
  }

  /** Tells the streams following the log that events were committed. */
  public void committed() {
    lock.lock();
    try {
      signals++;
      appended.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until {@link #committed} is called or {@code timeout} passes (events committed by other
   * C2 nodes are only seen by reading again).
   */
  public void awaitCommitted(Duration timeout) throws InterruptedException {
    lock.lock();
    try {
      long seen = signals;
      long nanos = timeout.toNanos();
      while (signals == seen && nanos > 0) {
        nanos = appended.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Records a call in this transaction. */
  public void audit(
      Handle handle, Caller caller, String action, String target, String outcome, String detail) {
    audit(handle, caller.name(), Optional.of(caller.role()), action, target, outcome, detail);
  }

  /** Records a call in a transaction of its own (a refused call, whose own transaction failed). */
  public void auditAlone(
      String actor,
      Optional<Role> role,
      String action,
      String target,
      String outcome,
      String detail) {
    try {
      database.useTransaction(
          handle -> audit(handle, actor, role, action, target, outcome, detail));
    } catch (RuntimeException e) {
      LOG.error(
          "could not record in the audit log: {} {} {} by {}: {}",
          action,
          target,
          outcome,
          actor,
          e.getMessage());
    }
  }

  private void audit(
      Handle handle,
      String actor,
      Optional<Role> role,
      String action,
      String target,
      String outcome,
      String detail) {
    handle.execute(
        "INSERT INTO audit_log (at, actor, role, action, target, outcome, detail)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?)",
        Sql.at(clock.instant()),
        actor,
        role.map(Role::name).orElse(null),
        action,
        bounded(target),
        outcome,
        bounded(detail));
  }

  /** Events after {@code after}, oldest first. */
  public List<C2Event> events(long after, int limit) {
    return database.read(
        handle ->
            handle
                .createQuery("SELECT * FROM events WHERE sequence > ? ORDER BY sequence LIMIT ?")
                .bind(0, after)
                .bind(1, limit)
                .map((rs, ctx) -> event(rs))
                .list());
  }

  public long lastSequence() {
    return database.read(
        handle ->
            handle
                .createQuery("SELECT last_sequence FROM event_log_head WHERE id = 1")
                .mapTo(Long.class)
                .one());
  }

  /** Audit records before {@code before} (0: the newest), newest first; {@code actor} or all. */
  public List<AuditRecord> audit(long before, int limit, Optional<String> actor) {
    long bound = before <= 0 ? Long.MAX_VALUE : before;
    return database.read(
        handle ->
            handle
                .createQuery(
                    "SELECT * FROM audit_log WHERE id < :before"
                        + (actor.isPresent() ? " AND actor = :actor" : "")
                        + " ORDER BY "
                        + (actor.isPresent() ? "actor DESC, " : "")
                        + "id DESC LIMIT :limit")
                .bind("before", bound)
                .bind("actor", actor.orElse(null))
                .bind("limit", limit)
                .map((rs, ctx) -> auditRecord(rs))
                .list());
  }

  /** Forgets events and audit records older than {@code horizon}; returns how many. */
  public int purgeBefore(Instant horizon) {
    return database.inTransaction(
        handle ->
            handle.execute("DELETE FROM events WHERE at < ?", Sql.at(horizon))
                + handle.execute("DELETE FROM audit_log WHERE at < ?", Sql.at(horizon)));
  }

  private static C2Event event(ResultSet rs) throws SQLException {
    byte[] deviceId = rs.getBytes("device_id");
    return new C2Event(
        rs.getLong("sequence"),
        EventType.valueOf(rs.getString("event_type")),
        Sql.instant(rs, "at"),
        Optional.ofNullable(rs.getString("actor")),
        Optional.ofNullable(deviceId).map(HEX::formatHex),
        Optional.ofNullable(rs.getString("device_name")),
        Optional.ofNullable(rs.getString("topic")),
        Optional.ofNullable(rs.getString("command_name")),
        rs.getLong("device_count"),
        Optional.ofNullable(rs.getString("detail")));
  }

  private static AuditRecord auditRecord(ResultSet rs) throws SQLException {
    String role = rs.getString("role");
    return new AuditRecord(
        rs.getLong("id"),
        Sql.instant(rs, "at"),
        rs.getString("actor"),
        Optional.ofNullable(role).map(Role::valueOf),
        rs.getString("action"),
        Optional.ofNullable(rs.getString("target")).orElse(""),
        rs.getString("outcome"),
        Optional.ofNullable(rs.getString("detail")));
  }

  private static String bounded(String text) {
    return text == null || text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT);
  }
}
