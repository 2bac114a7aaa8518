package io.e4j.server.internal.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.e4j.server.C2Event;
import io.e4j.server.EventType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Which change to the broker each event of C2's log makes. */
class AccessFollowerTest {
  private static final String DEVICE = "00112233445566778899aabbccddeeff";

  /** The calls made, as "call argument…". */
  private final List<String> calls = new ArrayList<>();

  private final AccessChanges recording =
      new AccessChanges() {
        @Override
        public CompletableFuture<Void> linked(byte[] deviceId, String topic) {
          return call("linked " + HexFormat.of().formatHex(deviceId) + " " + topic);
        }

        @Override
        public CompletableFuture<Void> unlinked(byte[] deviceId, String topic) {
          return call("unlinked " + HexFormat.of().formatHex(deviceId) + " " + topic);
        }

        @Override
        public CompletableFuture<Void> topicRemoved(String topic) {
          return call("topicRemoved " + topic);
        }

        @Override
        public CompletableFuture<Void> deviceRemoved(byte[] deviceId) {
          return call("deviceRemoved " + HexFormat.of().formatHex(deviceId));
        }

        @Override
        public CompletableFuture<Void> credentialsChanged(byte[] deviceId) {
          return call("credentialsChanged " + HexFormat.of().formatHex(deviceId));
        }

        private CompletableFuture<Void> call(String call) {
          calls.add(call);
          return CompletableFuture.completedFuture(null);
        }
      };

  private static C2Event event(EventType type, String deviceHex, String topic, long devices) {
    return new C2Event(
        1,
        type,
        Instant.EPOCH,
        Optional.of("local"),
        Optional.ofNullable(deviceHex),
        Optional.empty(),
        Optional.ofNullable(topic),
        Optional.empty(),
        devices,
        Optional.empty());
  }

  @Test
  void aRemovedTopic_namesNoDevice_andIsRemovedForAll() {
    AccessFollower.apply(event(EventType.TOPIC_REMOVED, null, "plant/heat", 2), recording);
    assertThat(calls).containsExactly("topicRemoved plant/heat");
  }

  @Test
  void deviceEvents_reachTheirDevice() {
    AccessFollower.apply(event(EventType.LINKED, DEVICE, "plant/heat", 0), recording);
    AccessFollower.apply(event(EventType.UNLINKED, DEVICE, "plant/heat", 0), recording);
    AccessFollower.apply(event(EventType.DEVICE_KEY_CHANGED, DEVICE, null, 0), recording);
    AccessFollower.apply(event(EventType.DEVICE_RESET, DEVICE, null, 0), recording);
    AccessFollower.apply(event(EventType.DEVICE_REMOVED, DEVICE, null, 0), recording);
    assertThat(calls)
        .containsExactly(
            "linked " + DEVICE + " plant/heat",
            "unlinked " + DEVICE + " plant/heat",
            "credentialsChanged " + DEVICE,
            "credentialsChanged " + DEVICE,
            "deviceRemoved " + DEVICE);
  }

  @Test
  void eventsThatChangeNoAccess_changeNothing() {
    AccessFollower.apply(event(EventType.TOPIC_CREATED, null, "plant/heat", 0), recording);
    AccessFollower.apply(event(EventType.TOPIC_ROTATED, null, "plant/heat", 3), recording);
    assertThat(calls).isEmpty();
  }
}
