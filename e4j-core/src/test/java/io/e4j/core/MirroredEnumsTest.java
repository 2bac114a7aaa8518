package io.e4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.e4j.core.E4Exception.Reason;
import io.e4j.core.internal.protocol.KeyMode;
import io.e4j.core.internal.protocol.ProtocolException;
import io.e4j.core.internal.protocol.Refusal;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The internal twins of public enums stay twins, so translating one into the other loses nothing.
 */
class MirroredEnumsTest {
  @Test
  void refusal_hasTheConstantsOfReason_inTheSameOrder() {
    assertThat(names(Refusal.values())).containsExactlyElementsOf(names(Reason.values()));
  }

  @Test
  void keyMode_hasTheConstantsOfMode_inTheSameOrder() {
    assertThat(names(KeyMode.values())).containsExactlyElementsOf(names(E4Client.Mode.values()));
  }

  @Test
  void everyKeyMode_becomesTheModeOfTheSameNameAndDescription() {
    for (KeyMode keyMode : KeyMode.values()) {
      E4Client.Mode mode = E4Client.Mode.of(keyMode);

      assertThat(mode.name()).isEqualTo(keyMode.name());
      assertThat(mode.description()).isEqualTo(keyMode.description());
    }
  }

  @Test
  void everyRefusal_becomesAnE4ExceptionWithTheSameReasonMessageCauseAndTrace() {
    IOException cause = new IOException("disk full");
    for (Refusal refusal : Refusal.values()) {
      ProtocolException refused = new ProtocolException(refusal, "why " + refusal, cause);

      E4Exception translated = E4Exception.of(refused);

      assertThat(translated.reason().name()).isEqualTo(refusal.name());
      assertThat(translated.getMessage()).isEqualTo("why " + refusal);
      assertThat(translated.getCause()).isSameAs(cause);
      assertThat(translated.getStackTrace()).isEqualTo(refused.getStackTrace());
    }
  }

  private static List<String> names(Enum<?>[] constants) {
    return Arrays.stream(constants).map(Enum::name).toList();
  }
}
