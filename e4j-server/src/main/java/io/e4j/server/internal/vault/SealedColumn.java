package io.e4j.server.internal.vault;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;

/**
 * Every column that holds sealed key material, with the label (associated data) that binds a value
 * to its row. The store seals with these labels; rekey walks these columns.
 */
public enum SealedColumn {
  DEVICE_KEY("devices", "command_key", "id", ""),
  DEVICE_PREVIOUS_KEY("devices", "previous_command_key", "id", ""),
  TOPIC_KEY("topics", "topic_key", "id", ""),
  C2_PRIVATE_KEY("c2_key_pair", "private_key", "generation", ""),
  COMMAND("commands", "command", "id", ""),
  OUTBOX_COMMAND_KEY("command_outbox", "command_key", "id", "device_id, id"),
  FANOUT_COMMAND_KEY("topic_fanout_keys", "command_key", "id", "device_id, fanout_position");

  private static final HexFormat HEX = HexFormat.of();

  private final String table;
  private final String column;
  private final String key;
  private final String labelColumns;

  SealedColumn(String table, String column, String key, String labelColumns) {
    this.table = table;
    this.column = column;
    this.key = key;
    this.labelColumns = labelColumns;
  }

  /**
   * The label of the value in the row whose primary key is {@code id} (a device, topic, command).
   */
  public String label(byte[] id) {
    return table + "." + column + ":" + HEX.formatHex(id);
  }

  /** The label of C2's private key of one generation. */
  public String label(int generation) {
    return table + "." + column + ":" + generation;
  }

  /**
   * The label of a pinned key: bound to its device and its outbox row ({@link #OUTBOX_COMMAND_KEY})
   * or topic fan-out ({@link #FANOUT_COMMAND_KEY}).
   */
  public String label(byte[] deviceId, long rowOrFanout) {
    return table + "." + column + ":" + HEX.formatHex(deviceId) + "/" + rowOrFanout;
  }

  /** A value below every primary key of the table: where {@link #scan()} starts. */
  Object lowestKey() {
    return this == C2_PRIVATE_KEY || this == OUTBOX_COMMAND_KEY || this == FANOUT_COMMAND_KEY
        ? (Object) Long.MIN_VALUE
        : new byte[0];
  }

  String scan() {
    String extra = labelColumns.isEmpty() ? "" : ", " + labelColumns;
    return "SELECT "
        + key
        + ", "
        + column
        + extra
        + " FROM "
        + table
        + " WHERE "
        + key
        + " > :after ORDER BY "
        + key
        + " LIMIT :limit";
  }

  String update() {
    return "UPDATE "
        + table
        + " SET "
        + column
        + " = :resealed WHERE "
        + key
        + " = :key AND "
        + column
        + " = :sealed";
  }

  /** The label of the row {@link #scan()} is positioned on. */
  String label(ResultSet row) throws SQLException {
    if (this == C2_PRIVATE_KEY) {
      return label(row.getInt(1));
    }
    if (labelColumns.isEmpty()) {
      return label(row.getBytes(1));
    }
    return label(row.getBytes(3), row.getLong(4));
  }

  @Override
  public String toString() {
    return table + "." + column;
  }
}
