package io.e4j.server.node;

import io.e4j.server.C2Config;
import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.C2Service;
import io.e4j.server.CryptoMode;
import io.e4j.server.KekSource;
import io.e4j.server.Role;
import io.e4j.server.internal.api.ApiCertificate;
import io.e4j.server.internal.api.ApiServer;
import io.e4j.server.internal.broker.AccessChanges;
import io.e4j.server.internal.broker.BrokerPresence;
import io.e4j.server.internal.broker.DeviceDirectory;
import io.e4j.server.internal.broker.EmbeddedBroker;
import io.e4j.server.internal.broker.StoreDirectory;
import io.e4j.server.internal.change.Changes;
import io.e4j.server.internal.journal.Caller;
import io.e4j.server.internal.journal.Journal;
import io.e4j.server.internal.operations.C2Operations;
import io.e4j.server.internal.outbox.Dispatcher;
import io.e4j.server.internal.outbox.OutboxWriter;
import io.e4j.server.internal.store.BrokerCredentialStore;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.store.DeviceStore;
import io.e4j.server.internal.store.LinkStore;
import io.e4j.server.internal.store.SettingsStore;
import io.e4j.server.internal.store.TopicStore;
import io.e4j.server.internal.tokens.ApiTokens;
import io.e4j.server.internal.transport.KafkaTransport;
import io.e4j.server.internal.transport.MqttTransport;
import io.e4j.server.internal.transport.Transport;
import io.e4j.server.internal.vault.Kek;
import io.e4j.server.internal.vault.Rekey;
import io.e4j.server.internal.vault.Vault;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running C2: key store, vault, delivery and transport, started from a {@link C2Config}.
 *
 * <pre>{@code
 * try (C2Server c2 = C2Server.start(C2Config.defaults(Path.of("e4-data")), Clock.systemUTC(),
 *     System.getenv())) {
 *   C2Service service = c2.service();
 *   service.createTopic("sensors/temperature");
 * }
 * }</pre>
 */
public final class C2Server implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(C2Server.class);
  private static final Duration VAULT_REFRESH = Duration.ofSeconds(5);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final int EMBEDDED_CACHE_KIB = 128 * 1024;
  private static final Duration JOURNAL_PURGE = Duration.ofHours(1);
  private static final Duration JOURNAL_RETENTION = Duration.ofDays(90);

  /** The bootstrap admin token's file in the data directory. */
  public static final String ADMIN_TOKEN_FILE = "admin.token";

  private final C2Config config;
  private final Database database;
  private final Vault vault;
  private final EmbeddedBroker broker;
  private final Transport transport;
  private final Dispatcher dispatcher;
  private final C2Operations operations;
  private final ScheduledExecutorService housekeeping;
  private final ApiServer api;
  private final ApiCertificate apiCertificate;
  private final Convergence convergence;

  private C2Server(
      C2Config config,
      Database database,
      Vault vault,
      EmbeddedBroker broker,
      Transport transport,
      Dispatcher dispatcher,
      C2Operations operations,
      ScheduledExecutorService housekeeping,
      ApiServer api,
      ApiCertificate apiCertificate,
      Convergence convergence) {
    this.config = config;
    this.database = database;
    this.vault = vault;
    this.broker = broker;
    this.transport = transport;
    this.dispatcher = dispatcher;
    this.operations = operations;
    this.housekeeping = housekeeping;
    this.api = api;
    this.apiCertificate = apiCertificate;
    this.convergence = convergence;
  }

  /**
   * Validates the configuration (every problem at once), opens the key store, starts the embedded
   * broker if configured, connects the transport and resumes delivery of whatever the outbox holds.
   *
   * @param environment where environment-variable KEK sources are read
   */
  public static C2Server start(C2Config config, Clock clock, Map<String, String> environment) {
    List<String> problems = config.problems();
    if (!problems.isEmpty()) {
      throw new C2Exception(
          Reason.CONFIGURATION, "invalid configuration:\n  - " + String.join("\n  - ", problems));
    }
    List<AutoCloseable> opened = new ArrayList<>();
    try {
      createPrivateDirectory(config.dataDirectory());
      Database database = openDatabase(config);
      opened.add(database);
      checkMode(database, config.mode());
      Vault vault = openVault(config, database, clock, environment);
      opened.add(vault);
      EmbeddedBroker broker = null;
      BrokerPresenceRelay brokerPresence = new BrokerPresenceRelay();
      if (config.broker() instanceof C2Config.EmbeddedMqtt embedded) {
        DeviceStore deviceStore = new DeviceStore(vault, database);
        broker =
            startBroker(
                config,
                embedded,
                clock,
                new StoreDirectory(
                    database,
                    deviceStore,
                    new LinkStore(deviceStore, new TopicStore(vault)),
                    new BrokerCredentialStore(database)),
                brokerPresence);
        opened.add(broker);
      }
      Transport transport = transport(config, broker);
      opened.add(transport);
      Journal journal = new Journal(database, clock);
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      Dispatcher dispatcher =
          new Dispatcher(
              database,
              vault,
              transport,
              journal,
              Metrics.deliveryMeter(registry),
              clock,
              config.delivery());
      Changes changes =
          new Changes(database, journal, new OutboxWriter(vault, clock), clock, dispatcher::wake);
      C2Operations operations =
          C2Operations.create(database, vault, journal, changes, clock, config.mode());
      if (config.mode() == CryptoMode.PUBLIC_KEY) {
        operations.ensureC2KeyPair(database, clock);
      }
      ScheduledExecutorService housekeeping =
          Executors.newSingleThreadScheduledExecutor(
              runnable -> {
                Thread thread = new Thread(runnable, "e4j-vault-refresh");
                thread.setDaemon(true);
                return thread;
              });
      housekeeping.scheduleWithFixedDelay(
          () -> refresh(vault),
          VAULT_REFRESH.toMillis(),
          VAULT_REFRESH.toMillis(),
          TimeUnit.MILLISECONDS);
      housekeeping.scheduleWithFixedDelay(
          () -> purgeJournal(journal, clock), 0, JOURNAL_PURGE.toMillis(), TimeUnit.MILLISECONDS);
      opened.add(housekeeping::shutdownNow);
      Metrics.registerGauges(registry, operations);
      Convergence convergence =
          Convergence.start(
              database,
              vault,
              journal,
              changes,
              operations,
              transport,
              broker == null ? AccessChanges.NONE : broker.accessChanges(),
              registry,
              clock,
              config);
      opened.add(convergence);
      brokerPresence.readyFor(convergence.presenceEvents());
      ApiServer api = null;
      ApiCertificate certificate = null;
      if (config.api().enabled()) {
        ApiTokens tokens = new ApiTokens(database, changes, clock, new SecureRandom());
        certificate = apiCertificate(config, clock);
        api =
            ApiServer.start(
                config.api(),
                certificate,
                new ApiServer.Parts(
                    operations, tokens, changes, journal, database, transport, registry));
        opened.add(api);
        Path tokenFile = config.dataDirectory().resolve(ADMIN_TOKEN_FILE);
        if (tokens.bootstrap(tokenFile)) {
          LOG.warn(
              "created the API token '{}' (admin) in {} (owner-only): use it to log in, then"
                  + " create tokens for each operator",
              ApiTokens.BOOTSTRAP_NAME,
              tokenFile.toAbsolutePath());
        }
        LOG.info(
            "API (gRPC, HTTP/JSON, documentation at /docs) on https://{}:{}, certificate SHA-256"
                + " {}",
            config.api().host(),
            api.port(),
            certificate.fingerprint());
      }
      dispatcher.start();
      LOG.info(
          "C2 started in {} mode: {}, {}", config.mode(), config.database(), transport.describe());
      return new C2Server(
          config,
          database,
          vault,
          broker,
          transport,
          dispatcher,
          operations,
          housekeeping,
          api,
          certificate,
          convergence);
    } catch (RuntimeException e) {
      closeAll(opened, e);
      throw e;
    }
  }

  public C2Service service() {
    return operations;
  }

  /** The port the API listens on, when it is enabled. */
  public Optional<Integer> apiPort() {
    return Optional.ofNullable(api).map(ApiServer::port);
  }

  /** The API's certificate (PEM), which clients pin, when the API is enabled. */
  public Optional<Path> apiCertificate() {
    return Optional.ofNullable(apiCertificate).map(ApiCertificate::certificate);
  }

  /**
   * Creates an API token in the key store of {@code config}, from outside the server (for {@code e4
   * server token create}); recorded in the audit log as a local call.
   *
   * @return the token: shown once, C2 keeps only its hash
   */
  public static String createToken(C2Config config, String name, Role role, Clock clock) {
    try (Database database = openDatabase(config)) {
      Changes changes = new Changes(database, new Journal(database, clock), null, clock, () -> {});
      return new ApiTokens(database, changes, clock, new SecureRandom())
          .create(name, role, Caller.LOCAL)
          .token();
    }
  }

  /** The port of the embedded broker, when one runs. */
  public Optional<Integer> embeddedBrokerPort() {
    return Optional.ofNullable(broker).map(EmbeddedBroker::port);
  }

  /** The MQTT over TLS port of the embedded broker, when one runs with a TLS listener. */
  public Optional<Integer> embeddedBrokerTlsPort() {
    return Optional.ofNullable(broker)
        .flatMap(
            running ->
                running.tlsPort().isPresent()
                    ? Optional.of(running.tlsPort().getAsInt())
                    : Optional.empty());
  }

  /**
   * Re-encrypts the running key store under {@code newKek}, without stopping: other C2 nodes on the
   * same database keep working through the transition if their refresh (every 5 s) falls within
   * {@code grace}. Afterwards, restart them with the new KEK.
   *
   * @return how many sealed values were re-sealed
   */
  public long rekey(
      KekSource newKek,
      Duration grace,
      Map<String, String> environment,
      Consumer<String> progress) {
    try (Kek kek = Kek.resolve(newKek, environment)) {
      return new Rekey(vault, kek, progress).run(grace);
    }
  }

  /**
   * Re-encrypts the key store of {@code config} under {@code newKek} from outside the server (for
   * {@code e4 server rekey}); servers on a shared PostgreSQL keep running meanwhile.
   */
  public static long rekey(
      C2Config config,
      KekSource newKek,
      Duration grace,
      Clock clock,
      Map<String, String> environment,
      Consumer<String> progress) {
    try (Database database = openDatabase(config);
        Vault vault =
            Vault.open(
                database.jdbi(),
                Kek.resolve(config.kekSource(), environment),
                clock,
                new SecureRandom());
        Kek kek = Kek.resolve(newKek, environment)) {
      return new Rekey(vault, kek, progress).run(grace);
    }
  }

  /**
   * Stops taking work, lets the commands on the wire be acknowledged and recorded, then closes the
   * transport, the embedded broker and the database. Undelivered commands wait in the outbox.
   */
  @Override
  public void close() {
    if (api != null) {
      api.close();
    }
    housekeeping.shutdownNow();
    convergence.close();
    dispatcher.close();
    List<AutoCloseable> toClose = new ArrayList<>();
    toClose.add(database);
    toClose.add(vault);
    if (broker != null) {
      toClose.add(broker);
    }
    toClose.add(transport);
    closeAll(toClose, null);
    LOG.info("C2 stopped");
  }

  @Override
  public String toString() {
    return "C2Server[" + config.mode() + ", " + config.database() + ", " + config.broker() + "]";
  }

  private static Database openDatabase(C2Config config) {
    C2Config.Database settings = config.database();
    if (settings.isEmbedded()) {
      Path file = config.dataDirectory().toAbsolutePath().resolve("c2");
      // H2 keeps 16 MiB of pages by default: fan-outs over 100,000 devices then read from disk.
      return Database.open(
          "jdbc:h2:file:" + file + ";CACHE_SIZE=" + EMBEDDED_CACHE_KIB,
          "sa",
          "",
          settings.poolSize());
    }
    return Database.open(settings.url(), settings.user(), settings.password(), settings.poolSize());
  }

  private static void checkMode(Database database, CryptoMode mode) {
    SettingsStore settings = new SettingsStore();
    database.useTransaction(
        handle -> {
          Optional<String> stored = settings.cryptoMode(handle);
          if (stored.isEmpty()) {
            settings.setCryptoMode(handle, mode.name());
          } else if (!stored.get().equals(mode.name())) {
            throw new C2Exception(
                Reason.CONFIGURATION,
                "this key store was created in "
                    + stored.get()
                    + " mode; the configuration asks for "
                    + mode
                    + " mode (the mode of a key store cannot change)");
          }
        });
  }

  /** Opens the vault; on the first start of the zero-setup run, generates the KEK file first. */
  private static Vault openVault(
      C2Config config, Database database, Clock clock, Map<String, String> environment) {
    SecureRandom random = new SecureRandom();
    KekSource source = config.kekSource();
    if (config.kek() == null && source instanceof KekSource.KeyFile file) {
      if (Vault.isEmptyStore(database.jdbi()) && !Files.exists(file.path())) {
        generateKekFile(file.path(), random);
        LOG.warn(
            "generated a key-encryption key in {} (owner-only). Back it up and keep it apart from"
                + " the database: without it, no key in this store can be read.",
            file.path().toAbsolutePath());
      }
    }
    return Vault.open(database.jdbi(), Kek.resolve(source, environment), clock, random);
  }

  /** Writes 32 random bytes, base64, to a new owner-only file. */
  public static void generateKekFile(Path path, SecureRandom random) {
    byte[] key = new byte[Kek.SIZE];
    random.nextBytes(key);
    try {
      Files.createFile(
          path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(path, Base64.getEncoder().encodeToString(key) + "\n");
    } catch (FileAlreadyExistsException e) {
      throw new C2Exception(Reason.KEK, "KEK file " + path + " exists already; not overwritten");
    } catch (IOException e) {
      throw new C2Exception(Reason.KEK, "cannot write KEK file " + path + ": " + e, e);
    } finally {
      java.util.Arrays.fill(key, (byte) 0);
    }
  }

  /**
   * Starts the embedded broker in {@code <data>/broker}. Its TLS listener presents the configured
   * certificate, or else the API's.
   */
  private static EmbeddedBroker startBroker(
      C2Config config,
      C2Config.EmbeddedMqtt embedded,
      Clock clock,
      DeviceDirectory directory,
      BrokerPresence presence) {
    EmbeddedBroker.TlsListener tls = null;
    if (embedded.tls() != null) {
      ApiCertificate certificate =
          embedded.tls().certificate() != null
              ? new ApiCertificate(embedded.tls().certificate(), embedded.tls().privateKey())
              : apiCertificate(config, clock);
      tls =
          new EmbeddedBroker.TlsListener(
              embedded.tls().port(), certificate.certificate(), certificate.privateKey());
    }
    return EmbeddedBroker.start(
        new EmbeddedBroker.Settings(
            embedded.host(),
            embedded.port(),
            embedded.access(),
            tls,
            config.dataDirectory().resolve("broker"),
            C2Config.Mqtt.DEFAULT_CLIENT_ID),
        directory,
        presence);
  }

  private static Transport transport(C2Config config, EmbeddedBroker broker) {
    if (broker != null) {
      EmbeddedBroker.C2Login login = broker.c2Login();
      return MqttTransport.connect(
          C2Config.Mqtt.plain(broker.host(), broker.port())
              .withCredentials(login.username(), login.password()),
          null,
          CONNECT_TIMEOUT);
    }
    if (config.broker() instanceof C2Config.Mqtt mqtt) {
      return MqttTransport.connect(mqtt, trust(mqtt), CONNECT_TIMEOUT);
    }
    return new KafkaTransport((C2Config.Kafka) config.broker());
  }

  private static TrustManagerFactory trust(C2Config.Mqtt mqtt) {
    if (mqtt.trustStore() == null) {
      return null;
    }
    char[] password =
        mqtt.trustStorePassword() == null ? null : mqtt.trustStorePassword().toCharArray();
    try (InputStream in = Files.newInputStream(mqtt.trustStore())) {
      KeyStore store =
          KeyStore.getInstance(mqtt.trustStore().toString().endsWith(".jks") ? "JKS" : "PKCS12");
      store.load(in, password);
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory;
    } catch (IOException | GeneralSecurityException e) {
      throw new C2Exception(
          Reason.CONFIGURATION, "cannot read trust store " + mqtt.trustStore() + ": " + e, e);
    }
  }

  private static void createPrivateDirectory(Path directory) {
    try {
      if (!Files.isDirectory(directory)) {
        Files.createDirectories(
            directory,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
    } catch (IOException e) {
      throw new C2Exception(
          Reason.CONFIGURATION, "cannot create the data directory " + directory + ": " + e, e);
    }
  }

  private static ApiCertificate apiCertificate(C2Config config, Clock clock) {
    C2Config.Api settings = config.api();
    if (settings.certificate() != null) {
      return new ApiCertificate(settings.certificate(), settings.privateKey());
    }
    return ApiCertificate.selfSigned(
        config.dataDirectory(), settings.host(), clock, new SecureRandom());
  }

  private static void purgeJournal(Journal journal, Clock clock) {
    try {
      journal.purgeBefore(clock.instant().minus(JOURNAL_RETENTION));
    } catch (RuntimeException e) {
      LOG.warn("could not purge old events and audit records: {}", e.getMessage());
    }
  }

  private static void refresh(Vault vault) {
    try {
      vault.refresh();
    } catch (RuntimeException e) {
      LOG.warn("could not reload data keys: {}", e.getMessage());
    }
  }

  private static void closeAll(List<AutoCloseable> resources, RuntimeException primary) {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        if (primary != null) {
          primary.addSuppressed(e);
        } else {
          LOG.warn("failed to close {}", resources.get(i), e);
        }
      }
    }
  }
}
