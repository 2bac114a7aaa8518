package io.e4j.server.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Lines as Mosquitto 2.0.11 publishes them (copied from its $SYS/broker/log topics). */
class MosquittoLogTest {
  private static final String DEVICE = "0123456789abcdef0123456789abcdef";

  private final List<String> seen = new ArrayList<>();
  private final MosquittoLog log =
      new MosquittoLog(
          new PresenceEvents() {
            @Override
            public void subscribed(byte[] deviceId) {
              seen.add("subscribed " + HexFormat.of().formatHex(deviceId));
            }

            @Override
            public void gone(byte[] deviceId) {
              seen.add("gone " + HexFormat.of().formatHex(deviceId));
            }
          });

  @Test
  void subscriptionToAControlTopic_subscribed() {
    line(MosquittoLog.SUBSCRIPTIONS, "1796225625: dev1 2 e4/" + DEVICE);

    assertThat(seen).containsExactly("subscribed " + DEVICE);
  }

  @Test
  void otherSubscriptions_ignored() {
    line(MosquittoLog.SUBSCRIPTIONS, "1796225627: dev2 2 x/y");
    line(MosquittoLog.SUBSCRIPTIONS, "1796225627: dev2 2 e4/aa");
    line(MosquittoLog.SUBSCRIPTIONS, "1796225627: dev2 2 e4/" + DEVICE + "/more");
    line(MosquittoLog.SUBSCRIPTIONS, "1796225625: auto-71389B7F 0 $SYS/broker/log/#");

    assertThat(seen).isEmpty();
  }

  @Test
  void clientThatSubscribedLeaves_gone() {
    line(MosquittoLog.SUBSCRIPTIONS, "1796225625: dev1 2 e4/" + DEVICE);
    line(MosquittoLog.NOTICES, "1796225626: Client dev1 disconnected.");
    line(MosquittoLog.SUBSCRIPTIONS, "1796225627: dev1 1 e4/" + DEVICE);
    line(MosquittoLog.NOTICES, "1796225628: Client dev1 closed its connection.");

    assertThat(seen)
        .containsExactly(
            "subscribed " + DEVICE, "gone " + DEVICE, "subscribed " + DEVICE, "gone " + DEVICE);
  }

  @Test
  void timeout_gone() {
    line(MosquittoLog.SUBSCRIPTIONS, "1796225625: dev1 2 e4/" + DEVICE);
    line(MosquittoLog.NOTICES, "1796225700: Client dev1 has exceeded timeout, disconnecting.");

    assertThat(seen).containsExactly("subscribed " + DEVICE, "gone " + DEVICE);
  }

  @Test
  void otherClientsAndNotices_ignored() {
    line(MosquittoLog.NOTICES, "1796225625: New connection from 127.0.0.1:39870 on port 18831.");
    line(MosquittoLog.NOTICES, "1796225625: New client connected from 127.0.0.1:39870 as dev1.");
    line(MosquittoLog.NOTICES, "1796225626: Client stranger disconnected.");

    assertThat(seen).isEmpty();
  }

  private void line(String topic, String text) {
    log.line(topic, text.getBytes(StandardCharsets.UTF_8));
  }
}
