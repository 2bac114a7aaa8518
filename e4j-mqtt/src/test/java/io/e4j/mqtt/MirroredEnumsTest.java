package io.e4j.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.e4j.mqtt.internal.RefusedException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The public refusal reasons mirror the internal ones constant for constant. */
class MirroredEnumsTest {
  @Test
  void brokerRefusedReasons_mirrorTheInternalRefusals() {
    assertThat(Arrays.stream(BrokerRefusedException.Reason.values()).map(Enum::name))
        .containsExactlyElementsOf(
            Arrays.stream(RefusedException.Refusal.values()).map(Enum::name).toList());
  }
}
