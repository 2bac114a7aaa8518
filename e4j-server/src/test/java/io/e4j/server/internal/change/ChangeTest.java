package io.e4j.server.internal.change;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.e4j.server.Role;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeTest {
  @Test
  void checks_runInTheOrderTheyWereAdded_andTheFirstRefusalStopsThem() {
    List<String> ran = new ArrayList<>();
    Change<Void> change =
        Change.<Void>of("RotateTopic", "t", context -> null)
            .checking(() -> ran.add("first"))
            .checking(
                () -> {
                  throw new IllegalArgumentException("refused");
                })
            .checking(() -> ran.add("never"));
    assertThatThrownBy(() -> change.check().run()).hasMessage("refused");
    assertThat(ran).containsExactly("first");
  }

  @Test
  void release_erasesEveryBuffer_andRunsEachStepEvenIfOneFails() {
    byte[] key = {1, 2, 3};
    boolean[] later = {false};
    Change<Void> change =
        Change.<Void>of("CreateTopic", "t", context -> null)
            .releasing(
                () -> {
                  throw new IllegalStateException("first release fails");
                })
            .erasing(key)
            .releasing(() -> later[0] = true);
    assertThatThrownBy(() -> change.release().run()).hasMessage("first release fails");
    assertThat(key).containsOnly(0);
    assertThat(later[0]).isTrue();
  }

  @Test
  void withers_keepEverythingElse() {
    Change<String> change = Change.of("Link", "d -> t", context -> "done");
    Change<String> sending = change.sendingCommands().againOnConflict();
    assertThat(change.sendsCommands()).isFalse();
    assertThat(sending.sendsCommands()).isTrue();
    assertThat(sending.runsAgainOnConflict()).isTrue();
    assertThat(sending.action()).isEqualTo("Link");
    assertThat(sending.target()).isEqualTo("d -> t");
    assertThat(sending.work().apply(null)).isEqualTo("done");
  }

  @Test
  void authority_readsForViewers_keysTokensAuditAndMessagesForAdmins_restForOperators() {
    assertThat(Authority.needed("ListDevices")).isEqualTo(Role.VIEWER);
    assertThat(Authority.needed("StreamEvents")).isEqualTo(Role.VIEWER);
    assertThat(Authority.needed("RotateTopic")).isEqualTo(Role.OPERATOR);
    assertThat(Authority.needed("CreateDevices")).isEqualTo(Role.OPERATOR);
    assertThat(Authority.needed("NewC2Key")).isEqualTo(Role.ADMIN);
    assertThat(Authority.needed("UnprotectMessage")).isEqualTo(Role.ADMIN);
    assertThat(Authority.needed("RevokeToken")).isEqualTo(Role.ADMIN);
    assertThat(Authority.needed("SomethingNew")).isEqualTo(Role.OPERATOR);
  }
}
