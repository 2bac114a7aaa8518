package io.e4j.server.internal.store;

import io.e4j.core.Keys;
import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.Page;
import io.e4j.server.TopicInfo;
import io.e4j.server.internal.vault.SealedColumn;
import io.e4j.server.internal.vault.Vault;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The {@code topics} table: each topic's name, its key sealed under the vault, and its key version.
 * A topic's ID is the hash of its name. Keys returned are the caller's to erase.
 */
public final class TopicStore {
  private static final String COLUMNS = "t.name, t.key_version, t.created_at, t.rotated_at";

  private final Vault vault;

  public TopicStore(Vault vault) {
    this.vault = vault;
  }

  /** The ID of an existing topic, or NOT_FOUND. */
  public byte[] idOf(Handle handle, String topic) {
    byte[] id = Keys.topicHash(topic);
    if (!exists(handle, id)) {
      throw notFound(topic);
    }
    return id;
  }

  /** The ID of an existing topic, its row locked until the transaction ends; or NOT_FOUND. */
  public byte[] lock(Handle handle, String topic) {
    byte[] id = Keys.topicHash(topic);
    handle
        .createQuery("SELECT id FROM topics WHERE id = ? FOR UPDATE")
        .bind(0, id)
        .mapTo(byte[].class)
        .findFirst()
        .orElseThrow(() -> notFound(topic));
    return id;
  }

  public boolean exists(Handle handle, byte[] id) {
    return Listing.count(handle, "SELECT COUNT(*) FROM topics WHERE id = ?", (Object) id) > 0;
  }

  /** A new topic at key version 1. */
  public void insert(Handle handle, byte[] id, String topic, byte[] key, Instant now) {
    handle.execute(
        "INSERT INTO topics (id, name, topic_key, key_version, created_at, rotated_at)"
            + " VALUES (?, ?, ?, 1, ?, ?)",
        id,
        topic,
        seal(id, key),
        Sql.at(now),
        Sql.at(now));
  }

  /** A new key, one version up. */
  public void rotate(Handle handle, byte[] id, byte[] key, Instant now) {
    handle.execute(
        "UPDATE topics SET topic_key = ?, key_version = key_version + 1, rotated_at = ?"
            + " WHERE id = ?",
        seal(id, key),
        Sql.at(now),
        id);
  }

  /** The current key of an existing topic, opened. */
  public byte[] key(Handle handle, byte[] id) {
    return handle
        .createQuery("SELECT id, topic_key FROM topics WHERE id = ?")
        .bind(0, id)
        .map((rs, ctx) -> open(rs.getBytes(1), rs.getBytes(2)))
        .one();
  }

  /** The current key of the topic, opened, if it exists. */
  public Optional<byte[]> keyOf(Handle handle, String topic) {
    return handle
        .createQuery("SELECT id, topic_key FROM topics WHERE id = ?")
        .bind(0, Keys.topicHash(topic))
        .map((rs, ctx) -> open(rs.getBytes(1), rs.getBytes(2)))
        .findFirst();
  }

  public void delete(Handle handle, byte[] id) {
    handle.execute("DELETE FROM topics WHERE id = ?", (Object) id);
  }

  public TopicInfo info(Handle handle, String topic) {
    return handle
        .createQuery("SELECT " + COLUMNS + " FROM topics t WHERE t.id = ?")
        .bind(0, Keys.topicHash(topic))
        .map((rs, ctx) -> info(rs))
        .findFirst()
        .orElseThrow(() -> notFound(topic));
  }

  public long count(Handle handle) {
    return Listing.count(handle, "SELECT COUNT(*) FROM topics");
  }

  /** Topics in name order whose name starts with {@code namePrefix} (empty: all). */
  public Page<TopicInfo> page(Handle handle, String namePrefix, String cursor, int limit) {
    String prefix = namePrefix == null ? "" : namePrefix;
    return joinedPage(
        handle,
        "FROM topics t WHERE " + (prefix.isEmpty() ? "TRUE" : "t.name LIKE :prefix ESCAPE '\\'"),
        Map.of("prefix", Sql.startsWith(prefix)),
        cursor,
        limit);
  }

  /** Topic names, in name order, from the {@code offset}-th. */
  public List<String> namesAt(Handle handle, long offset, int count) {
    return Listing.namesAt(
        handle, "SELECT name FROM topics ORDER BY name", Map.of(), offset, count);
  }

  /** One page of topics in name order; {@code fromWhere} names the topics {@code t}. */
  Page<TopicInfo> joinedPage(
      Handle handle, String fromWhere, Map<String, ?> binds, String cursor, int limit) {
    List<TopicInfo> rows =
        handle
            .createQuery(
                "SELECT "
                    + COLUMNS
                    + " "
                    + fromWhere
                    + " AND t.name > :after ORDER BY t.name LIMIT :limit")
            .bindMap(binds)
            .bind("after", Listing.nameAfter(cursor))
            .bind("limit", limit + 1)
            .map((rs, ctx) -> info(rs))
            .list();
    return Listing.page(rows, limit, topic -> Listing.nameCursor(topic.name()));
  }

  /** Opens a topic key read from the row of topic {@code id}. */
  byte[] open(byte[] id, byte[] sealed) {
    return vault.open(sealed, SealedColumn.TOPIC_KEY.label(id));
  }

  private byte[] seal(byte[] id, byte[] key) {
    return vault.seal(key, SealedColumn.TOPIC_KEY.label(id));
  }

  private static TopicInfo info(ResultSet rs) throws SQLException {
    return new TopicInfo(
        rs.getString("name"),
        rs.getInt("key_version"),
        Sql.instant(rs, "created_at"),
        Sql.instant(rs, "rotated_at"));
  }

  private static C2Exception notFound(String topic) {
    return new C2Exception(Reason.NOT_FOUND, "no topic '" + topic + "'");
  }
}
