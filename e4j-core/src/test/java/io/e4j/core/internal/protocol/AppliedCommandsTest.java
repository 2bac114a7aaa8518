package io.e4j.core.internal.protocol;

import static io.e4j.core.internal.protocol.AppliedCommands.MAX_FINGERPRINTS;
import static org.assertj.core.api.Assertions.assertThat;

import io.e4j.core.internal.protocol.AppliedCommands.Verdict;
import org.junit.jupiter.api.Test;

class AppliedCommandsTest {
  private static final long SECOND = 1_700_000_000L;
  private static final Id16 A = new Id16(1, 1);
  private static final Id16 B = new Id16(1, 2);

  @Test
  void none_takesAnyCommand() {
    assertThat(AppliedCommands.none().check(SECOND, A)).isEqualTo(Verdict.NEW);
    assertThat(AppliedCommands.none().newestTime()).isZero();
  }

  @Test
  void sameSecond_refusesWhatWasApplied_andTakesTheRest() {
    AppliedCommands applied = AppliedCommands.none().with(SECOND, A);

    assertThat(applied.check(SECOND, A)).isEqualTo(Verdict.APPLIED);
    assertThat(applied.check(SECOND, B)).isEqualTo(Verdict.NEW);
    assertThat(applied.with(SECOND, B).check(SECOND, B)).isEqualTo(Verdict.APPLIED);
    assertThat(applied.with(SECOND, B).count()).isEqualTo(2);
  }

  @Test
  void newerSecond_startsAfresh_andOlderOnesAreOlder() {
    AppliedCommands applied = AppliedCommands.none().with(SECOND, A).with(SECOND, B);

    AppliedCommands next = applied.with(SECOND + 1, A);

    assertThat(next.newestTime()).isEqualTo(SECOND + 1);
    assertThat(next.count()).isEqualTo(1);
    assertThat(next.check(SECOND + 1, A)).isEqualTo(Verdict.APPLIED);
    assertThat(next.check(SECOND, B)).isEqualTo(Verdict.OLDER);
    assertThat(next.with(SECOND, B)).isSameAs(next);
  }

  @Test
  void fullSecond_refusesTheRestOfIt_andTheNextSecondStartsAfresh() {
    Id16[] tags = new Id16[MAX_FINGERPRINTS];
    for (int i = 0; i < tags.length; i++) {
      tags[i] = new Id16(7, i);
    }
    AppliedCommands full = AppliedCommands.of(SECOND, tags, true);

    assertThat(full.check(SECOND, B)).isEqualTo(Verdict.UNPROVABLE);
    assertThat(full.check(SECOND, tags[MAX_FINGERPRINTS - 1])).isEqualTo(Verdict.APPLIED);
    assertThat(full.with(SECOND, B)).isSameAs(full);
    assertThat(full.check(SECOND + 1, B)).isEqualTo(Verdict.NEW);
    assertThat(full.with(SECOND + 1, B).count()).isEqualTo(1);
  }

  @Test
  void unknownFingerprints_refuseTheirSecondOnly() {
    AppliedCommands fromVersion1 = AppliedCommands.withoutFingerprints(SECOND);

    assertThat(fromVersion1.fingerprintsKnown()).isFalse();
    assertThat(fromVersion1.check(SECOND, A)).isEqualTo(Verdict.UNPROVABLE);
    assertThat(fromVersion1.check(SECOND - 1, A)).isEqualTo(Verdict.OLDER);
    assertThat(fromVersion1.check(SECOND + 1, A)).isEqualTo(Verdict.NEW);
    assertThat(fromVersion1.with(SECOND + 1, A).fingerprintsKnown()).isTrue();
    assertThat(AppliedCommands.withoutFingerprints(0).fingerprintsKnown()).isTrue();
  }
}
