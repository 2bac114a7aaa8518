package io.e4j.core;

import static io.e4j.core.TestDevices.NOW;
import static io.e4j.core.TestDevices.TOPIC;
import static io.e4j.core.TestDevices.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.e4j.core.E4Exception.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientStoreTest {
  private static final byte[] PAYLOAD = "reading".getBytes(StandardCharsets.UTF_8);

  @TempDir Path directory;

  private final MutableClock clock = MutableClock.atEpochSecond(NOW);

  @Test
  void fileStore_keepsEveryChangeAcrossRestarts() {
    Path file = directory.resolve("device.e4");
    E4Client device = TestDevices.publicKey("device", clock).store(ClientStore.file(file)).build();
    E4Client peer = TestDevices.publicKey("peer", clock).build();
    peer.setTopicKey(TOPIC, key("topic"));
    device.unprotect(
        device.controlTopic(),
        Commands.protect(
            Commands.setTopicKey(key("topic"), TOPIC),
            TestDevices.publicKeyCommandKey("device"),
            clock.instant()));
    device.addPublicKey(peer.id(), peer.publicKey());

    E4Client reloaded = E4Client.load(ClientStore.file(file), clock);

    assertThat(reloaded.id()).isEqualTo(device.id());
    assertThat(reloaded.controlTopic()).isEqualTo(device.controlTopic());
    assertThat(reloaded.mode()).isEqualTo(E4Client.Mode.PUBLIC_KEY);
    assertThat(reloaded.publicKey()).isEqualTo(device.publicKey());
    assertThat(reloaded.unprotect(TOPIC, peer.protect(TOPIC, PAYLOAD))).contains(PAYLOAD);
  }

  @Test
  void fileStore_keepsKeyTransitionsAndTheNewestCommandTime() {
    Path file = directory.resolve("device.e4");
    E4Client sender = TestDevices.symmetric("sender", clock).build();
    sender.setTopicKey(TOPIC, key("old"));
    E4Client device = TestDevices.symmetric("device", clock).store(ClientStore.file(file)).build();
    device.setTopicKey(TOPIC, key("old"));
    byte[] stale = Commands.protect(Commands.resetTopics(), key("client/device"), clock.instant());
    clock.advance(Duration.ofSeconds(10));
    device.unprotect(
        device.controlTopic(),
        Commands.protect(
            Commands.setTopicKey(key("new"), TOPIC), key("client/device"), clock.instant()));

    E4Client reloaded = E4Client.load(ClientStore.file(file), clock);

    assertThat(reloaded.unprotect(TOPIC, sender.protect(TOPIC, PAYLOAD))).contains(PAYLOAD);
    assertThatThrownBy(() -> reloaded.unprotect(reloaded.controlTopic(), stale))
        .isInstanceOfSatisfying(
            E4Exception.class, e -> assertThat(e.reason()).isEqualTo(Reason.STALE_COMMAND));
  }

  /**
   * Files written by e4j's format-1 code (commit 8a93ba6, {@code TestDevices} keys): a symmetric
   * device that applied SetTopicKey t1 at NOW and SetTopicKey t2 at NOW + 1 for "sensors/t"; a
   * public-key device holding t1 and the public key of "peer".
   */
  @Test
  void stateFilesOfFormat1_load_refuseTheRestOfTheirNewestSecond_andAreRewrittenAsFormat2()
      throws IOException {
    Path file = directory.resolve("symmetric.e4");
    Files.write(file, resource("state-format-1/symmetric.e4"));
    clock.set(NOW + 5);
    E4Client device = E4Client.load(ClientStore.file(file), clock);
    E4Client sender = TestDevices.symmetric("sender", clock).build();
    sender.setTopicKey("sensors/t", key("t2"));
    byte[] sameSecond =
        Commands.protect(
            Commands.resetTopics(), key("client/device"), java.time.Instant.ofEpochSecond(NOW + 1));
    byte[] nextSecond =
        Commands.protect(
            Commands.setTopicKey(key("t3"), "other"),
            key("client/device"),
            java.time.Instant.ofEpochSecond(NOW + 2));

    assertThat(device.unprotect("sensors/t", sender.protect("sensors/t", PAYLOAD)))
        .contains(PAYLOAD);
    assertThatThrownBy(() -> device.unprotect(device.controlTopic(), sameSecond))
        .isInstanceOfSatisfying(
            E4Exception.class, e -> assertThat(e.reason()).isEqualTo(Reason.REPLAYED));
    device.unprotect(device.controlTopic(), nextSecond);
    assertThat(Files.readAllBytes(file)[4]).isEqualTo((byte) 2);
    E4Client reloaded = E4Client.load(ClientStore.file(file), clock);
    assertThat(reloaded.hasTopicKey("sensors/t")).isTrue();
    assertThat(reloaded.hasTopicKey("other")).isTrue();

    Path publicKeyFile = directory.resolve("public-key.e4");
    Files.write(publicKeyFile, resource("state-format-1/public-key.e4"));
    E4Client publicKeyDevice = E4Client.load(ClientStore.file(publicKeyFile), clock);
    assertThat(publicKeyDevice.publicKeyIds()).containsExactly(Keys.idFromName("peer"));
    assertThat(publicKeyDevice.hasTopicKey("sensors/t")).isTrue();
    assertThat(publicKeyDevice.publicKey())
        .isEqualTo(Keys.ed25519Public(TestDevices.ed25519("client/device")));
  }

  private static byte[] resource(String name) throws IOException {
    try (var in = ClientStoreTest.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("test resource " + name + " is missing");
      }
      return in.readAllBytes();
    }
  }

  @Test
  void fileStore_isReadableByItsOwnerOnly() throws IOException {
    Path file = directory.resolve("device.e4");
    TestDevices.symmetric("device", clock).store(ClientStore.file(file)).build();

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(directory.resolve(".device.e4.tmp")).doesNotExist();
  }

  @Test
  void creatingIntoAStoreThatHoldsAClient_isRefused() {
    Path file = directory.resolve("device.e4");
    TestDevices.symmetric("device", clock).store(ClientStore.file(file)).build();

    assertThatThrownBy(
            () -> TestDevices.symmetric("other", clock).store(ClientStore.file(file)).build())
        .isInstanceOfSatisfying(
            E4Exception.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.STORAGE);
              assertThat(e.getMessage()).contains(file.toString()).contains("already holds");
            });
    assertThat(E4Client.load(ClientStore.file(file), clock).id())
        .isEqualTo(Keys.idFromName("device"));
  }

  @Test
  void loadingFromAnEmptyStore_namesTheStore() {
    assertLoadingFailsNaming(directory.resolve("missing.e4"));
  }

  @Test
  void everyTruncationAndEveryFlippedByte_isReportedAsCorrupt() throws IOException {
    Path file = directory.resolve("device.e4");
    E4Client device = TestDevices.publicKey("device", clock).store(ClientStore.file(file)).build();
    device.setTopicKey(TOPIC, key("topic"));
    device.addPublicKey(Keys.idFromName("peer"), Keys.ed25519Public(TestDevices.ed25519("peer")));
    byte[] saved = Files.readAllBytes(file);
    Path damaged = directory.resolve("damaged.e4");

    for (int length = 0; length < saved.length; length++) {
      Files.write(damaged, Arrays.copyOf(saved, length));
      assertLoadingFailsNaming(damaged);
    }
    for (int i = 0; i < saved.length; i++) {
      byte[] flipped = saved.clone();
      flipped[i] ^= 0x01;
      Files.write(damaged, flipped);
      assertLoadingFailsNaming(damaged);
    }
  }

  private static void assertLoadingFailsNaming(Path file) {
    assertThatThrownBy(() -> E4Client.load(ClientStore.file(file)))
        .isInstanceOfSatisfying(
            E4Exception.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.STORAGE);
              assertThat(e.getMessage()).contains(file.toString());
            });
  }

  @Test
  void goStateFile_isNotLoadedAsOursButPointsToTheImport() throws IOException {
    Path file = directory.resolve("go-client.json");
    Files.writeString(file, "{\"ID\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}");

    assertThatThrownBy(() -> E4Client.load(ClientStore.file(file)))
        .isInstanceOfSatisfying(
            E4Exception.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.STORAGE);
              assertThat(e.getMessage()).contains("importGoState");
            });
  }

  @Test
  void goStateImport_refusesBrokenFilesNamingThem() throws IOException {
    String id = "\"ID\":\"bE1IlUb3OEvQtLG4zmwHQw==\"";
    String key = "\"Key\":{\"keyType\":0,\"keyData\":{\"Key\":\"" + "A".repeat(43) + "=\"}}";
    String topic = "\"ReceivingTopic\":\"e4/6c4d489546f7384bd0b4b1b8ce6c0743\"";
    String[] broken = {
      "",
      "not json",
      "{" + id + "," + key + "," + topic + "} trailing",
      "{\"ID\":\"AAAA\"," + key + "," + topic + "}",
      "{" + id + "," + key.replace("\"keyType\":0", "\"keyType\":1.5") + "," + topic + "}",
      "{" + id + "," + key.replace("\"keyType\":0", "\"keyType\":2") + "," + topic + "}",
      "{" + id + "," + topic + "}",
      "{" + id + "," + key + ",\"ReceivingTopic\":\"\"}",
      "{" + id + "," + key + "," + topic + ",\"TopicKeys\":{\"zz\":\"AAAA\"}}",
      "{" + id + "," + key + "," + topic + ",\"TopicKeys\":{\"" + "00".repeat(16) + "\":\"!!\"}}",
      "{" + id + "," + key + "," + topic + ",\"TopicKeys\":{\"" + "00".repeat(16) + "\":\"AAAA\"}}",
    };
    Path file = directory.resolve("client.json");
    for (String json : broken) {
      Files.writeString(file, json);
      assertThatThrownBy(() -> E4Client.importGoState(file, ClientStore.memory()))
          .as(json)
          .isInstanceOfSatisfying(
              E4Exception.class,
              e -> {
                assertThat(e.reason()).isEqualTo(Reason.STORAGE);
                assertThat(e.getMessage()).contains(file.toString());
              });
    }
    Files.writeString(file, "{" + id + "," + key + "," + topic + "}");
    assertThat(E4Client.importGoState(file, ClientStore.memory()).controlTopic())
        .isEqualTo("e4/6c4d489546f7384bd0b4b1b8ce6c0743");
  }

  @Test
  void aChangeThatCannotBeSaved_doesNotTakeEffect() {
    FailingStore store = new FailingStore();
    E4Client device = TestDevices.symmetric("device", clock).store(store).build();
    byte[] setKey =
        Commands.protect(
            Commands.setTopicKey(key("topic"), TOPIC), key("client/device"), clock.instant());
    store.failing = true;

    assertThatThrownBy(() -> device.unprotect(device.controlTopic(), setKey))
        .isInstanceOfSatisfying(
            E4Exception.class, e -> assertThat(e.reason()).isEqualTo(Reason.STORAGE));
    assertThatThrownBy(() -> device.setTopicKey("other", key("other")))
        .isInstanceOf(E4Exception.class);

    assertThat(device.hasTopicKey(TOPIC)).isFalse();
    assertThat(device.hasTopicKey("other")).isFalse();
  }

  @Test
  void memoryStore_survivesReloadInTheSameProcess() {
    ClientStore store = ClientStore.memory();
    TestDevices.symmetric("device", clock).store(store).build().setTopicKey(TOPIC, key("t"));

    assertThat(E4Client.load(store, clock).hasTopicKey(TOPIC)).isTrue();
  }

  /** A store whose disk fills up on demand. */
  private static final class FailingStore implements ClientStore {
    private final ClientStore memory = ClientStore.memory();
    volatile boolean failing;

    @Override
    public Optional<byte[]> read() {
      return memory.read();
    }

    @Override
    public void write(byte[] state) {
      if (failing) {
        throw new E4Exception(Reason.STORAGE, "disk full");
      }
      memory.write(state);
    }

    @Override
    public String location() {
      return "failing store";
    }
  }
}
