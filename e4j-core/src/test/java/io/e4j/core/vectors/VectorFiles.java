package io.e4j.core.vectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.e4j.core.ClientStore;
import io.e4j.core.E4Client;
import io.e4j.core.E4Exception;
import io.e4j.core.internal.crypto.AesSiv;
import io.e4j.core.internal.crypto.Bytes;
import io.e4j.core.internal.crypto.Hashing;
import io.e4j.core.internal.protocol.DeviceState;
import io.e4j.core.internal.protocol.Id16;
import io.e4j.core.internal.protocol.PeerKey;
import io.e4j.core.internal.protocol.TopicEntry;
import io.e4j.core.internal.store.StateCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Loads the reference vectors and compares client state with their normalised state views. */
final class VectorFiles {
  static final long REFERENCE_NOW = 1_700_000_005L;

  private VectorFiles() {}

  static JsonNode e4go() {
    try (InputStream in = resource("e4go/e4go-vectors.json")) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> lines(String name) {
    try (InputStream in = resource(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream resource(String name) {
    InputStream in = VectorFiles.class.getResourceAsStream("/vectors/" + name);
    if (in == null) {
      throw new IllegalStateException("test resource vectors/" + name + " is missing");
    }
    return in;
  }

  /** The reason an action failed with, or null when it succeeded. */
  static E4Exception.Reason reasonOf(Runnable action) {
    try {
      action.run();
      return null;
    } catch (E4Exception e) {
      return e.reason();
    }
  }

  static Clock clockAt(long epochSecond) {
    return Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC);
  }

  static byte[] hex(JsonNode node) {
    return Bytes.unhex(node.asText());
  }

  /** d32(label) of the vectors' README: SHA3-256("e4-interop/" + label). */
  static byte[] d32(String label) {
    return Hashing.sha3(("e4-interop/" + label).getBytes(StandardCharsets.UTF_8));
  }

  /** A client whose state is the Go client's store bytes, imported into a memory store. */
  static E4Client importGoStore(String goStoreJson, ClientStore store, Clock clock, Path dir) {
    try {
      Path file = Files.createTempFile(dir, "e4go", ".json");
      Files.writeString(file, goStoreJson);
      return E4Client.importGoState(file, store, clock);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The saved state in the vectors' normalised form: id, receiving_topic, id_key, c2_pubkey,
   * topic_keys and pub_keys, hex. A key transition appears as the Go client stores it, under the
   * hash of the topic hash, as the previous key only (its time is wall-clock in the vectors).
   */
  static Map<String, Object> stateView(ClientStore store) {
    byte[] saved = store.read().orElseThrow();
    DeviceState state = StateCodec.decode(saved, store.location(), new AesSiv());
    Map<String, Object> view = new TreeMap<>();
    view.put("id", state.id().hex());
    view.put("receiving_topic", state.controlTopic());
    if (state.clientKey() != null) {
      view.put("id_key", Bytes.hex(state.clientKey().ctrKeyBytes()));
    } else {
      view.put("id_key", Bytes.hex(state.signingKey()));
      view.put("c2_pubkey", Bytes.hex(state.c2PublicKey()));
    }
    Map<String, String> topics = new TreeMap<>();
    for (Map.Entry<Id16, TopicEntry> entry : state.topics().entrySet()) {
      topics.put(entry.getKey().hex(), Bytes.hex(entry.getValue().current().ctrKeyBytes()));
      if (entry.getValue().previous() != null) {
        String hashOfHash = Bytes.hex(Hashing.sha3Truncated16(entry.getKey().toBytes()));
        topics.put(hashOfHash, Bytes.hex(entry.getValue().previous().ctrKeyBytes()));
      }
    }
    view.put("topic_keys", topics);
    Map<String, String> peers = new TreeMap<>();
    for (Map.Entry<Id16, PeerKey> entry : state.peers().entrySet()) {
      peers.put(entry.getKey().hex(), Bytes.hex(entry.getValue().publicKey()));
    }
    view.put("pub_keys", peers);
    return view;
  }

  /** The same view of a vector's {@code state_before}/{@code state_after}/{@code state_final}. */
  static Map<String, Object> stateView(JsonNode vectorState) {
    Map<String, Object> view = new TreeMap<>();
    view.put("id", vectorState.get("id").asText());
    view.put("receiving_topic", vectorState.get("receiving_topic").asText());
    view.put("id_key", vectorState.get("id_key").asText());
    if (vectorState.hasNonNull("c2_pubkey") && !vectorState.get("c2_pubkey").asText().isEmpty()) {
      view.put("c2_pubkey", vectorState.get("c2_pubkey").asText());
    }
    Map<String, String> topics = new TreeMap<>();
    vectorState
        .path("topic_keys")
        .fields()
        .forEachRemaining(
            entry -> {
              String key = entry.getValue().asText();
              topics.put(entry.getKey(), key.length() == 80 ? key.substring(0, 64) : key);
            });
    view.put("topic_keys", topics);
    Map<String, String> peers = new TreeMap<>();
    vectorState
        .path("pub_keys")
        .fields()
        .forEachRemaining(entry -> peers.put(entry.getKey(), entry.getValue().asText()));
    view.put("pub_keys", peers);
    return view;
  }
}
