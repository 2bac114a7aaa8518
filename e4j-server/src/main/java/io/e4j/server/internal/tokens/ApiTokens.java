package io.e4j.server.internal.tokens;

import io.e4j.server.ApiToken;
import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.Role;
import io.e4j.server.internal.change.Change;
import io.e4j.server.internal.change.Changes;
import io.e4j.server.internal.journal.Caller;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.store.TokenStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * API tokens: 32 random bytes, shown once when created, kept as their SHA-256 hash. A token found
 * is remembered for a few seconds, so that a burst of calls does not read the database for each: a
 * token revoked on another C2 node stops working within that time. Creating and revoking tokens are
 * changes, made through {@link Changes}.
 */
public final class ApiTokens {
  /** The name of the token created on the first start, written to the data directory. */
  public static final String BOOTSTRAP_NAME = "admin";

  private static final String PREFIX = "e4t_";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
  private static final Duration REMEMBERED = Duration.ofSeconds(5);
  private static final int MAX_REMEMBERED = 10_000;

  private final Database database;
  private final Changes changes;
  private final Clock clock;
  private final SecureRandom random;
  private final TokenStore store = new TokenStore();
  private final Map<String, Remembered> recent = new ConcurrentHashMap<>();

  private record Remembered(Caller caller, Instant until) {}

  /** A token just created: the only time its secret is known. */
  public record Created(ApiToken info, String token) {
    @Override
    public String toString() {
      return "Created[" + info + ", token hidden]";
    }
  }

  public ApiTokens(Database database, Changes changes, Clock clock, SecureRandom random) {
    this.database = database;
    this.changes = changes;
    this.clock = clock;
    this.random = random;
  }

  /** Creates a token named {@code name}, as {@code by}'s change. */
  public Created create(String name, Role role, Caller by) {
    String token = newToken();
    Change<ApiToken> create =
        Change.of(
                "CreateToken",
                name == null ? "" : name,
                context -> {
                  if (store.exists(context.handle(), name)) {
                    throw new C2Exception(
                        Reason.ALREADY_EXISTS, "a token named '" + name + "' exists");
                  }
                  store.insert(context.handle(), name, role, hash(token), context.now(), by.name());
                  context.auditDetail("role " + role);
                  return new ApiToken(name, role, context.now());
                })
            .checking(() -> check(name, role));
    return new Created(changes.make(by, create), token);
  }

  private static void check(String name, Role role) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new C2Exception(
          Reason.INVALID_ARGUMENT,
          "a token name is 1 to 64 letters, digits and . _ @ -, starting with a letter or digit");
    }
    if (role == null) {
      throw new C2Exception(Reason.INVALID_ARGUMENT, "a token needs a role");
    }
  }

  private String newToken() {
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    java.util.Arrays.fill(secret, (byte) 0);
    return token;
  }

  /** The caller a token stands for, if it is one of C2's tokens. */
  public Optional<Caller> authenticate(String token) {
    if (token == null || !token.startsWith(PREFIX)) {
      return Optional.empty();
    }
    byte[] hash = hash(token);
    String key = Base64.getEncoder().encodeToString(hash);
    Instant now = clock.instant();
    Remembered remembered = recent.get(key);
    if (remembered != null && remembered.until().isAfter(now)) {
      return Optional.of(remembered.caller());
    }
    Optional<Caller> caller =
        database
            .read(handle -> store.byHash(handle, hash))
            .map(found -> new Caller(found.name(), found.role()));
    if (caller.isPresent()) {
      if (recent.size() >= MAX_REMEMBERED) {
        recent.clear();
      }
      recent.put(key, new Remembered(caller.get(), now.plus(REMEMBERED)));
    } else {
      recent.remove(key);
    }
    return caller;
  }

  public List<ApiToken> list() {
    return database.read(store::list);
  }

  /** Revokes a token: this node refuses it at once, other nodes within seconds. */
  public void revoke(String name, Caller by) {
    changes.make(
        by,
        Change.<Void>of(
            "RevokeToken",
            name,
            context -> {
              if (!store.delete(context.handle(), name)) {
                throw new C2Exception(Reason.NOT_FOUND, "no token named '" + name + "'");
              }
              return null;
            }));
    recent.values().removeIf(remembered -> remembered.caller().name().equals(name));
  }

  /**
   * On the first start of a store without tokens: creates the admin token and writes it to {@code
   * file} (owner-only), so that the zero-setup run can be used at once.
   *
   * @return whether it was created
   */
  public boolean bootstrap(Path file) {
    if (!database.read(store::isEmpty) || Files.exists(file)) {
      return false;
    }
    Created created = create(BOOTSTRAP_NAME, Role.ADMIN, Caller.LOCAL);
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, created.token() + "\n", StandardCharsets.UTF_8);
    } catch (FileAlreadyExistsException e) {
      revoke(BOOTSTRAP_NAME, Caller.LOCAL);
      return false;
    } catch (IOException e) {
      revoke(BOOTSTRAP_NAME, Caller.LOCAL);
      throw new C2Exception(Reason.CONFIGURATION, "cannot write " + file + ": " + e, e);
    }
    return true;
  }

  private static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
