package io.e4j.server.internal.store;

import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.Page;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;

/** What every listing shares: page sizes, cursors, and pages fetched one item beyond. */
public final class Listing {
  /** The most items a page or an offset listing holds. */
  public static final int MAX_PAGE = 1_000;

  private static final HexFormat HEX = HexFormat.of();

  private Listing() {}

  public static void checkLimit(int limit) {
    if (limit < 1 || limit > MAX_PAGE) {
      throw new C2Exception(
          Reason.INVALID_ARGUMENT, "a page holds 1 to " + MAX_PAGE + " items, not " + limit);
    }
  }

  /** Cursors are hex: a device ID, or a name's UTF-8 bytes. Empty: from the start. */
  public static byte[] cursorBytes(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return new byte[0];
    }
    try {
      return HEX.parseHex(cursor);
    } catch (IllegalArgumentException e) {
      throw new C2Exception(Reason.INVALID_ARGUMENT, "not a cursor from a previous page");
    }
  }

  /** A name's cursor: its UTF-8 bytes in hex. */
  static String nameCursor(String name) {
    return HEX.formatHex(name.getBytes(StandardCharsets.UTF_8));
  }

  /** The name a name cursor stands for; empty: from the start. */
  static String nameAfter(String cursor) {
    return new String(cursorBytes(cursor), StandardCharsets.UTF_8);
  }

  /** {@code rows} holds one more item than the page when a next page exists. */
  static <T> Page<T> page(List<T> rows, int limit, Function<T, String> cursorOf) {
    if (rows.size() <= limit) {
      return new Page<>(rows, Optional.empty());
    }
    List<T> page = rows.subList(0, limit);
    return new Page<>(page, Optional.of(cursorOf.apply(page.get(limit - 1))));
  }

  /** Names in {@code query}'s order, from the {@code offset}-th: Teserakt's listings. */
  static List<String> namesAt(
      Handle handle, String query, Map<String, ?> binds, long offset, int count) {
    if (offset < 0 || count < 0 || count > MAX_PAGE) {
      throw new C2Exception(
          Reason.INVALID_ARGUMENT,
          "offset must not be negative, and count 0 to " + MAX_PAGE + ", got " + count);
    }
    if (count == 0) {
      return List.of();
    }
    return handle
        .createQuery(query + " LIMIT :count OFFSET :offset")
        .bindMap(binds)
        .bind("count", count)
        .bind("offset", offset)
        .mapTo(String.class)
        .list();
  }

  static long count(Handle handle, String query, Object... arguments) {
    var statement = handle.createQuery(query);
    for (int i = 0; i < arguments.length; i++) {
      statement.bind(i, arguments[i]);
    }
    return statement.mapTo(Long.class).one();
  }
}
