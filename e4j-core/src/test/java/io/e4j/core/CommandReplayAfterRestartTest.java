package io.e4j.core;

import static io.e4j.core.TestDevices.NOW;
import static io.e4j.core.TestDevices.key;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whoever recorded a device's control topic replays everything after the device restarts, in any
 * order: nothing applies, and the device keeps exactly the keys it had. The recording holds what
 * makes this hard: a resync (ResetTopics, then every SetTopicKey) and two rotations of one topic,
 * all in the newest command second; before it, a second with a SetIDKey and commands under both the
 * old and the new key.
 *
 * <p>Written against the public API only, so it runs unchanged on the code before persisted
 * anti-replay (where it fails: the replayed ResetTopics wipes every key).
 */
class CommandReplayAfterRestartTest {
  private static final byte[] PAYLOAD = "21.5 C".getBytes(StandardCharsets.UTF_8);
  private static final int ORDERS = 8;

  @TempDir Path directory;

  private final MutableClock clock = MutableClock.atEpochSecond(NOW);

  /** A command as the broker (or an attacker on it) saw it, and what it was. */
  private record Sent(String what, byte[] message) {}

  /** What C2 sent, in order. */
  private final List<Sent> recorded = new ArrayList<>();

  /** Topic name to the key the device must hold for it in the end. */
  private final Map<String, byte[]> expectedKeys = new LinkedHashMap<>();

  @Test
  void symmetric_replayingEverythingInAnyOrder_changesNothing(TestInfo test) throws IOException {
    Path file = directory.resolve("device.e4");
    E4Client device = device(TestDevices.symmetric("device", clock), file);
    byte[] oldKey = key("client/device");
    byte[] newKey = key("client/device, rotated");

    send(device, Commands.setTopicKey(key("x0"), "old/x"), oldKey);
    send(device, Commands.setTopicKey(key("a0"), "a"), oldKey);
    clock.advance(Duration.ofSeconds(1));
    send(device, Commands.setIdKey(newKey), oldKey);
    send(device, Commands.setTopicKey(key("e0"), "e"), newKey);
    send(device, Commands.removeTopic("old/x"), newKey);
    clock.advance(Duration.ofSeconds(1));
    resyncAndRotateTwice(device, newKey);

    replayInRandomOrders(test, file);
  }

  @Test
  void publicKey_replayingEverythingInAnyOrder_changesNothing(TestInfo test) throws IOException {
    Path file = directory.resolve("device.e4");
    E4Client device = device(TestDevices.publicKey("device", clock), file);
    byte[] oldKey = TestDevices.publicKeyCommandKey("device");
    byte[] newSigningKey = TestDevices.ed25519("client/device, rotated");
    byte[] newKey =
        Keys.sharedKey(
            TestDevices.c2PrivateKey(), Keys.curve25519Public(Keys.ed25519Public(newSigningKey)));
    byte[] peer = Keys.idFromName("peer");
    byte[] peerKey = Keys.ed25519Public(TestDevices.ed25519("peer"));

    send(device, Commands.setTopicKey(key("x0"), "old/x"), oldKey);
    send(device, Commands.setPubKey(peerKey, peer), oldKey);
    clock.advance(Duration.ofSeconds(1));
    send(device, Commands.setIdKey(newSigningKey), oldKey);
    send(device, Commands.setTopicKey(key("e0"), "e"), newKey);
    send(device, Commands.removePubKey(peer), newKey);
    clock.advance(Duration.ofSeconds(1));
    send(device, Commands.resetPubKeys(), newKey);
    send(device, Commands.setPubKey(peerKey, peer), newKey);
    resyncAndRotateTwice(device, newKey);
    assertThat(device.publicKeyIds()).hasSize(1);

    replayInRandomOrders(test, file);
  }

  private E4Client device(E4Client.Builder builder, Path file) {
    return builder.keyTransition(Duration.ZERO).store(ClientStore.file(file)).build();
  }

  /** All in the current second: what C2's resync sends, then two rotations of topic "a". */
  private void resyncAndRotateTwice(E4Client device, byte[] commandKey) {
    send(device, Commands.resetTopics(), commandKey);
    send(device, Commands.setTopicKey(key("a1"), "a"), commandKey);
    send(device, Commands.setTopicKey(key("b1"), "b"), commandKey);
    send(device, Commands.setTopicKey(key("c1"), "c"), commandKey);
    send(device, Commands.setTopicKey(key("d1"), "d"), commandKey);
    send(device, Commands.removeTopic("d"), commandKey);
    send(device, Commands.setTopicKey(key("a2"), "a"), commandKey);
    send(device, Commands.setTopicKey(key("a3"), "a"), commandKey);
    expectedKeys.put("a", key("a3"));
    expectedKeys.put("b", key("b1"));
    expectedKeys.put("c", key("c1"));
    assertHoldsExactlyTheExpectedKeys(device);
  }

  private void send(E4Client device, byte[] command, byte[] commandKey) {
    byte[] message = Commands.protect(command, commandKey, clock.instant());
    recorded.add(
        new Sent(
            describe(command) + " at +" + (clock.instant().getEpochSecond() - NOW) + " s",
            message));
    assertThat(device.unprotect(device.controlTopic(), message)).isEmpty();
  }

  private void replayInRandomOrders(TestInfo test, Path file) throws IOException {
    byte[] saved = Files.readAllBytes(file);
    clock.advance(Duration.ofSeconds(5));
    long firstSeed = Long.getLong(RandomCases.SEED_PROPERTY, System.nanoTime());
    for (int i = 0; i < ORDERS; i++) {
      long seed = firstSeed + i;
      System.out.println(
          test.getDisplayName() + ": order seed " + seed + " (-De4j.seed=" + firstSeed + ")");
      Path copy = directory.resolve("restarted-" + i + ".e4");
      Files.write(copy, saved);
      List<Sent> order = new ArrayList<>(recorded);
      Collections.shuffle(order, new Random(seed));

      E4Client restarted =
          E4Client.builder()
              .store(ClientStore.file(copy))
              .clock(clock)
              .keyTransition(Duration.ZERO)
              .build();
      List<String> applied = new ArrayList<>();
      Map<String, Integer> refusals = new TreeMap<>();
      for (Sent sent : order) {
        try {
          restarted.unprotect(restarted.controlTopic(), sent.message());
          applied.add(sent.what());
        } catch (E4Exception refused) {
          refusals.merge(refused.reason().name(), 1, Integer::sum);
        }
      }

      assertThat(applied).as("seed %d: replayed commands applied, in replay order", seed).isEmpty();
      assertThat(Files.readAllBytes(copy)).as("seed %d: the state file", seed).isEqualTo(saved);
      assertHoldsExactlyTheExpectedKeys(restarted);
      assertThat(refusals.values().stream().mapToInt(Integer::intValue).sum())
          .isEqualTo(recorded.size());
      System.out.println("  refused: " + refusals);
    }
  }

  /** The device holds keys for exactly the expected topics, and reads each with its newest key. */
  private void assertHoldsExactlyTheExpectedKeys(E4Client device) {
    Set<String> held =
        device.topicHashes().stream()
            .map(hash -> HexFormat.of().formatHex(hash))
            .collect(Collectors.toSet());
    Set<String> expected =
        expectedKeys.keySet().stream()
            .map(topic -> HexFormat.of().formatHex(Keys.topicHash(topic)))
            .collect(Collectors.toSet());
    assertThat(held).as("topic hashes held").isEqualTo(expected);
    for (Map.Entry<String, byte[]> topic : expectedKeys.entrySet()) {
      E4Client sender = E4Client.builder().name("sender").key(key("sender")).clock(clock).build();
      sender.setTopicKey(topic.getKey(), topic.getValue());
      byte[] message =
          device.mode() == E4Client.Mode.SYMMETRIC
              ? sender.protect(topic.getKey(), PAYLOAD)
              : signedBy(device, topic.getKey(), topic.getValue());
      assertThat(device.unprotect(topic.getKey(), message))
          .as("topic %s read with its newest key", topic.getKey())
          .contains(PAYLOAD);
    }
  }

  /** The command's name, and the topic's or key's label where it has one. */
  private static String describe(byte[] command) {
    String[] names = {
      "RemoveTopic",
      "ResetTopics",
      "SetIDKey",
      "SetTopicKey",
      "RemovePubKey",
      "ResetPubKeys",
      "SetPubKey",
      "SetC2Key"
    };
    return names[command[0]]
        + "#"
        + HexFormat.of().formatHex(command, 1, Math.min(command.length, 4));
  }

  /** A message from a peer whose public key the device holds (the same one in every run). */
  private byte[] signedBy(E4Client device, String topic, byte[] topicKey) {
    E4Client peer =
        E4Client.builder()
            .name("peer")
            .signingKey(TestDevices.ed25519("peer"))
            .c2PublicKey(TestDevices.c2PublicKey())
            .clock(clock)
            .build();
    peer.setTopicKey(topic, topicKey);
    assertThat(device.publicKeyIds())
        .as("peer public keys held")
        .singleElement()
        .isEqualTo(peer.id());
    return peer.protect(topic, PAYLOAD);
  }
}
