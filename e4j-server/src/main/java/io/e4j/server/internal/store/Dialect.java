package io.e4j.server.internal.store;

/**
 * The SQL database C2 runs on. Only repositories ask: where the best form of a query differs
 * between H2 and PostgreSQL, the repository that owns the query holds both.
 */
public enum Dialect {
  H2,
  POSTGRESQL
}
