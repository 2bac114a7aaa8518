package io.e4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.e4j.core.Keys;
import io.e4j.mqtt.Mosquitto;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.vault.Kek;
import io.e4j.server.internal.vault.SealedColumn;
import io.e4j.server.internal.vault.Vault;
import io.e4j.server.node.C2Server;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the key store keeps on disk: no key in the clear, rows bound to their keys, rekey. */
class KeysAtRestIT {
  @TempDir Path dataDirectory;
  @TempDir Path brokerDirectory;
  @TempDir Path secrets;

  private Mosquitto broker;

  @BeforeEach
  void startBroker() throws Exception {
    broker = Mosquitto.start(brokerDirectory);
  }

  @AfterEach
  void stopBroker() {
    broker.close();
  }

  private C2Config config(CryptoMode mode) {
    return C2Config.defaults(dataDirectory)
        .withApi(C2Config.Api.disabled())
        .withMode(mode)
        .withBroker(C2Config.Mqtt.plain("127.0.0.1", broker.port()))
        .withDelivery(C2Config.Delivery.defaults().withAckTimeout(Duration.ofSeconds(2)));
  }

  @Test
  void theDatabaseFileHoldsNoKeyInTheClear() throws Exception {
    byte[] deviceKey = Keys.randomKey();
    // With the broker down, every command stays in the outbox, sealed, with the keys it carries.
    broker.stop();
    try (C2Server server = C2Server.start(config(CryptoMode.SYMMETRIC_KEY), clock(), Map.of())) {
      C2Service c2 = server.service();
      c2.createDevice(
          NewDevice.of(DeviceRef.name("at-rest"), new DeviceCredential.SymmetricKey(deviceKey)));
      c2.createTopic("at-rest/topic-name-in-clear");
      c2.link(DeviceRef.name("at-rest"), "at-rest/topic-name-in-clear");
      c2.rotateTopicKey("at-rest/topic-name-in-clear");
      c2.newDeviceKey(DeviceRef.name("at-rest"));
    }
    Path kekFile = dataDirectory.resolve(C2Config.DEFAULT_KEK_FILE);
    assertThat(Files.getPosixFilePermissions(kekFile))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    List<byte[]> secretsInStore = openEverySealedValue(kekFile);
    secretsInStore.add(deviceKey);
    byte[] file = Files.readAllBytes(dataDirectory.resolve("c2.mv.db"));

    // The file is the store, read raw: names are there, keys are not.
    assertThat(indexOf(file, "at-rest/topic-name-in-clear".getBytes(StandardCharsets.UTF_8)))
        .isNotNegative();
    // Device key (created, then replaced), topic key (created, then rotated): each in its table
    // or in the commands that carry it; the first device key also pinned to the three commands
    // enqueued before it was replaced.
    assertThat(secretsInStore).hasSizeGreaterThanOrEqualTo(11);
    for (byte[] secret : secretsInStore) {
      assertThat(indexOf(file, secret)).as("a key found in the clear").isNegative();
    }
  }

  @Test
  void aKeyMovedToAnotherRowNoLongerOpens() throws Exception {
    C2Config config = config(CryptoMode.SYMMETRIC_KEY);
    try (C2Server server = C2Server.start(config, clock(), Map.of())) {
      C2Service c2 = server.service();
      for (String name : List.of("row-a", "row-b")) {
        c2.createDevice(
            NewDevice.of(
                DeviceRef.name(name), new DeviceCredential.SymmetricKey(Keys.randomKey())));
      }
    }
    try (Database database = Database.open(h2Url(), "sa", "", 2)) {
      database.useTransaction(
          handle ->
              handle.execute(
                  "UPDATE devices SET command_key = (SELECT command_key FROM devices WHERE id = ?)"
                      + " WHERE id = ?",
                  Keys.idFromName("row-a"),
                  Keys.idFromName("row-b")));
    }
    try (C2Server server = C2Server.start(config, clock(), Map.of())) {
      C2Service c2 = server.service();
      c2.createTopic("swapped");
      c2.link(DeviceRef.name("row-b"), "swapped");
      c2.link(DeviceRef.name("row-a"), "swapped");

      // The moved key fails its own command, which waits with the reason; the others go out.
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertThat(Devices.taken(c2.deliveries(DeviceRef.name("row-a"), 1).get(0)))
                    .isEqualTo(DeliveryStatus.SENT);
                Delivery refused = c2.deliveries(DeviceRef.name("row-b"), 1).get(0);
                assertThat(refused.status()).isEqualTo(DeliveryStatus.FAILED);
                assertThat(refused.lastError())
                    .hasValueSatisfying(
                        error -> assertThat(error).contains("belongs to another row"));
              });
    }
  }

  @Test
  void rekey_whileRunning_thenBackOffline_andToAPassphrase() throws Exception {
    C2Config config = config(CryptoMode.PUBLIC_KEY);
    Path oldKek = dataDirectory.resolve(C2Config.DEFAULT_KEK_FILE);
    Path newKek = secrets.resolve("new.key");
    C2Server.generateKekFile(newKek, new SecureRandom());
    byte[] c2PublicKey;
    try (C2Server server = C2Server.start(config, clock(), Map.of())) {
      C2Service c2 = server.service();
      c2.createDevice(
          NewDevice.of(
              DeviceRef.name("rekeyed"),
              new DeviceCredential.PublicKey(Keys.ed25519Public(Keys.newEd25519()))));
      c2.createTopic("rekey/before");
      c2.link(DeviceRef.name("rekeyed"), "rekey/before");
      c2PublicKey = c2.c2PublicKey();

      long resealed =
          server.rekey(new KekSource.KeyFile(newKek), Duration.ZERO, Map.of(), message -> {});

      assertThat(resealed).isGreaterThanOrEqualTo(3);
      // The running server goes on: old rows open, new rows are sealed under the new data key.
      c2.createTopic("rekey/during");
      c2.link(DeviceRef.name("rekeyed"), "rekey/during");
      c2.rotateTopicKey("rekey/before");
    }

    assertThatThrownBy(() -> C2Server.start(config, clock(), Map.of()))
        .isInstanceOfSatisfying(
            C2Exception.class,
            e -> {
              assertThat(e.reason()).isEqualTo(C2Exception.Reason.KEK);
              assertThat(e.getMessage()).contains("does not open this key store");
            });
    C2Config underNewKek = config.withKek(new KekSource.KeyFile(newKek));
    try (C2Server server = C2Server.start(underNewKek, clock(), Map.of())) {
      assertThat(server.service().c2PublicKey()).isEqualTo(c2PublicKey);
      server.service().rotateTopicKey("rekey/during");
      server.service().newC2Key();
    }

    Map<String, String> environment = Map.of("E4_KEK_PASSPHRASE", "correct horse battery staple");
    C2Server.rekey(
        underNewKek,
        new KekSource.PassphraseEnvironment("E4_KEK_PASSPHRASE"),
        Duration.ZERO,
        clock(),
        environment,
        message -> {});
    C2Server.rekey(
        config.withKek(new KekSource.PassphraseEnvironment("E4_KEK_PASSPHRASE")),
        new KekSource.KeyFile(oldKek),
        Duration.ZERO,
        clock(),
        environment,
        message -> {});
    try (C2Server server = C2Server.start(config, clock(), Map.of())) {
      assertThat(server.service().topicsOf(DeviceRef.name("rekeyed"), "", 10).items()).hasSize(2);
      server.service().rotateTopicKey("rekey/before");
      server.service().resyncDevice(DeviceRef.name("rekeyed"));
    }
  }

  private List<byte[]> openEverySealedValue(Path kekFile) throws Exception {
    List<byte[]> plain = new ArrayList<>();
    try (Database database = Database.open(h2Url(), "sa", "", 2);
        Vault vault =
            Vault.open(
                database.jdbi(),
                Kek.resolve(new KekSource.KeyFile(kekFile), Map.of()),
                clock(),
                new SecureRandom())) {
      database.useTransaction(
          handle -> {
            handle
                .createQuery("SELECT id, command_key FROM devices")
                .map(
                    (rs, ctx) ->
                        vault.open(rs.getBytes(2), SealedColumn.DEVICE_KEY.label(rs.getBytes(1))))
                .forEach(plain::add);
            handle
                .createQuery("SELECT id, topic_key FROM topics")
                .map(
                    (rs, ctx) ->
                        vault.open(rs.getBytes(2), SealedColumn.TOPIC_KEY.label(rs.getBytes(1))))
                .forEach(plain::add);
            handle
                .createQuery("SELECT id, command FROM commands")
                .map(
                    (rs, ctx) ->
                        vault.open(rs.getBytes(2), SealedColumn.COMMAND.label(rs.getBytes(1))))
                .forEach(
                    command -> {
                      plain.add(command);
                      // SetIDKey and SetTopicKey carry a 32-byte key right after the code.
                      plain.add(java.util.Arrays.copyOfRange(command, 1, 33));
                    });
            handle
                .createQuery(
                    "SELECT device_id, id, command_key FROM command_outbox"
                        + " WHERE command_key IS NOT NULL")
                .map(
                    (rs, ctx) ->
                        vault.open(
                            rs.getBytes(3),
                            SealedColumn.OUTBOX_COMMAND_KEY.label(rs.getBytes(1), rs.getLong(2))))
                .forEach(plain::add);
          });
    }
    return plain;
  }

  private String h2Url() {
    return "jdbc:h2:file:" + dataDirectory.toAbsolutePath().resolve("c2");
  }

  private static Clock clock() {
    return Clock.systemUTC();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
