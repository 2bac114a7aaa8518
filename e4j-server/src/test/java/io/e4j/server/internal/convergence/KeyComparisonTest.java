package io.e4j.server.internal.convergence;

import static org.assertj.core.api.Assertions.assertThat;

import io.e4j.server.internal.store.LinkStore.LinkedKey;
import io.e4j.server.internal.store.PresenceStore.Confirmation;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyComparisonTest {
  private static final byte[] TOPIC_A = filled(0x0a);
  private static final byte[] TOPIC_B = filled(0x0b);
  private static final byte[] TOPIC_C = filled(0x0c);
  private static final byte[] CURRENT_A = {1, 1, 1, 1, 1, 1, 1, 1};
  private static final byte[] CURRENT_B = {2, 2, 2, 2, 2, 2, 2, 2};
  private static final byte[] OLD_B = {3, 3, 3, 3, 3, 3, 3, 3};

  @Test
  void everyLinkedTopicOnItsCurrentKey_inStep() {
    KeyComparison comparison =
        KeyComparison.of(
            List.of(new LinkedKey(TOPIC_A, 4, CURRENT_A), new LinkedKey(TOPIC_B, 2, CURRENT_B)),
            List.of(
                new KeyComparison.Held(TOPIC_B, CURRENT_B),
                new KeyComparison.Held(TOPIC_A, CURRENT_A)));

    assertThat(comparison.inStep()).isTrue();
    assertThat(comparison.confirmed())
        .extracting(Confirmation::keyVersion)
        .containsExactlyInAnyOrder(4, 2);
  }

  @Test
  void olderKeyOrNoKey_behind() {
    KeyComparison comparison =
        KeyComparison.of(
            List.of(new LinkedKey(TOPIC_A, 4, CURRENT_A), new LinkedKey(TOPIC_B, 2, CURRENT_B)),
            List.of(new KeyComparison.Held(TOPIC_B, OLD_B)));

    assertThat(comparison.inStep()).isFalse();
    assertThat(comparison.confirmed()).isEmpty();
    assertThat(comparison.behind()).containsExactly(TOPIC_A, TOPIC_B);
    assertThat(comparison.unlinked()).isEmpty();
  }

  @Test
  void topicHeldButNotLinked_unlinked() {
    KeyComparison comparison =
        KeyComparison.of(
            List.of(new LinkedKey(TOPIC_A, 1, CURRENT_A)),
            List.of(
                new KeyComparison.Held(TOPIC_A, CURRENT_A),
                new KeyComparison.Held(TOPIC_C, CURRENT_B)));

    assertThat(comparison.confirmed()).hasSize(1);
    assertThat(comparison.behind()).isEmpty();
    assertThat(comparison.unlinked()).containsExactly(TOPIC_C);
    assertThat(comparison.inStep()).isFalse();
  }

  @Test
  void noLinksAndNothingHeld_inStep() {
    assertThat(KeyComparison.of(List.of(), List.of()).inStep()).isTrue();
  }

  private static byte[] filled(int value) {
    byte[] bytes = new byte[16];
    java.util.Arrays.fill(bytes, (byte) value);
    return bytes;
  }
}
