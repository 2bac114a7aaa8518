package io.e4j.server.internal.store;

import io.e4j.server.ApiToken;
import io.e4j.server.Role;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** The {@code api_tokens} table: each token's name, role and SHA-256 hash, never the token. */
public final class TokenStore {
  public boolean exists(Handle handle, String name) {
    return Listing.count(handle, "SELECT COUNT(*) FROM api_tokens WHERE name = ?", name) > 0;
  }

  public boolean isEmpty(Handle handle) {
    return Listing.count(handle, "SELECT COUNT(*) FROM api_tokens") == 0;
  }

  public void insert(
      Handle handle, String name, Role role, byte[] hash, Instant now, String createdBy) {
    handle.execute(
        "INSERT INTO api_tokens (name, role, token_hash, created_at, created_by)"
            + " VALUES (?, ?, ?, ?, ?)",
        name,
        role.name(),
        hash,
        Sql.at(now),
        createdBy);
  }

  /** The token whose hash is {@code hash}, if there is one. */
  public Optional<ApiToken> byHash(Handle handle, byte[] hash) {
    return handle
        .createQuery("SELECT name, role, created_at FROM api_tokens WHERE token_hash = ?")
        .bind(0, hash)
        .map(
            (rs, ctx) ->
                new ApiToken(
                    rs.getString(1), Role.valueOf(rs.getString(2)), Sql.instant(rs, "created_at")))
        .findFirst();
  }

  public List<ApiToken> list(Handle handle) {
    return handle
        .createQuery("SELECT name, role, created_at FROM api_tokens ORDER BY name")
        .map(
            (rs, ctx) ->
                new ApiToken(
                    rs.getString(1), Role.valueOf(rs.getString(2)), Sql.instant(rs, "created_at")))
        .list();
  }

  /** Whether the token existed (and now does not). */
  public boolean delete(Handle handle, String name) {
    return handle.execute("DELETE FROM api_tokens WHERE name = ?", name) > 0;
  }
}
