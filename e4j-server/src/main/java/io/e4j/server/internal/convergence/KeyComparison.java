package io.e4j.server.internal.convergence;

import io.e4j.server.internal.store.LinkStore.LinkedKey;
import io.e4j.server.internal.store.PresenceStore.Confirmation;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * What a device's report says against what C2 holds: the linked topics whose current key it holds
 * (confirmed), those it does not (behind), and the topics it holds that it is no longer linked to.
 *
 * @param confirmed the linked topics whose current key the device holds, at their version
 * @param behind IDs of the linked topics whose current key it does not hold
 * @param unlinked hashes of the topics it holds a key for and is not linked to
 */
record KeyComparison(List<Confirmation> confirmed, List<byte[]> behind, List<byte[]> unlinked) {
  private static final HexFormat HEX = HexFormat.of();

  /** A topic key as the device reported it: the topic's hash and its key's fingerprint. */
  record Held(byte[] topicHash, byte[] fingerprint) {}

  static KeyComparison of(List<LinkedKey> linked, List<Held> held) {
    Map<String, byte[]> heldByTopic = new HashMap<>();
    for (Held topic : held) {
      heldByTopic.put(HEX.formatHex(topic.topicHash()), topic.fingerprint());
    }
    List<Confirmation> confirmed = new ArrayList<>();
    List<byte[]> behind = new ArrayList<>();
    for (LinkedKey link : linked) {
      byte[] reported = heldByTopic.remove(HEX.formatHex(link.topicId()));
      // Fingerprints are not secret, but comparing in constant time costs nothing here.
      if (reported != null && MessageDigest.isEqual(reported, link.fingerprint())) {
        confirmed.add(new Confirmation(link.topicId(), link.keyVersion()));
      } else {
        behind.add(link.topicId());
      }
    }
    List<byte[]> unlinked = new ArrayList<>();
    for (String topicHash : heldByTopic.keySet()) {
      unlinked.add(HEX.parseHex(topicHash));
    }
    unlinked.sort(java.util.Arrays::compareUnsigned);
    return new KeyComparison(List.copyOf(confirmed), List.copyOf(behind), List.copyOf(unlinked));
  }

  /** Whether the device holds every linked topic's current key and nothing else. */
  boolean inStep() {
    return behind.isEmpty() && unlinked.isEmpty();
  }
}
