package io.e4j.server.internal.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void waitDoubles_fromRetryMinUpToRetryMax() {
    Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));

    assertThat(backoff.after(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.after(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(backoff.after(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(backoff.after(6)).isEqualTo(Duration.ofSeconds(32));
    assertThat(backoff.after(7)).isEqualTo(Duration.ofSeconds(60));
    assertThat(backoff.after(1_000)).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void firstWait_isRetryMin_andNoWaitExceedsRetryMax() {
    Backoff backoff = new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(12));

    assertThat(backoff.after(0)).isEqualTo(Duration.ofSeconds(5));
    assertThat(backoff.after(1)).isEqualTo(Duration.ofSeconds(5));
    assertThat(backoff.after(2)).isEqualTo(Duration.ofSeconds(10));
    assertThat(backoff.after(3)).isEqualTo(Duration.ofSeconds(12));
  }
}
