package io.e4j.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.e4j.core.ClientStore;
import io.e4j.core.E4Client;
import io.e4j.core.Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state file of a provisioned device: staged beside its destination, then put in place. */
class StagedStateFileTest {
  @TempDir Path directory;

  private static void writeDevice(StagedStateFile file) {
    E4Client.builder().name("alice").key(Keys.randomKey()).store(file.store()).build().close();
  }

  @Test
  void committed_theStateIsAtItsDestination_ownerOnly_andNothingElseIsLeft() throws Exception {
    Path out = directory.resolve("alice.e4");
    StagedStateFile file = StagedStateFile.prepare(out, false);

    writeDevice(file);
    assertThat(Files.getPosixFilePermissions(file.staging()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    file.commit("C2 created device alice", "remove it");

    assertThat(Files.getPosixFilePermissions(out))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    try (E4Client device = E4Client.load(ClientStore.file(out))) {
      assertThat(device.id()).isEqualTo(Keys.idFromName("alice"));
    }
    try (var files = Files.list(directory)) {
      assertThat(files).containsExactly(out);
    }
  }

  @Test
  void anExistingFile_isRefusedUnlessReplaced() throws Exception {
    Path out = Files.writeString(directory.resolve("alice.e4"), "keep me");

    assertThatThrownBy(() -> StagedStateFile.prepare(out, false))
        .isInstanceOf(CommandFailure.class)
        .hasMessage(out + " exists already; --force replaces it")
        .extracting(failure -> ((CommandFailure) failure).exitCode())
        .isEqualTo(ExitCodes.ALREADY_EXISTS);
    StagedStateFile file = StagedStateFile.prepare(out, true);
    writeDevice(file);
    file.commit("C2 created device alice", "remove it");
    assertThat(Files.readString(out, java.nio.charset.StandardCharsets.ISO_8859_1))
        .isNotEqualTo("keep me");
  }

  @Test
  void aMissingDirectory_isRefusedBeforeAnythingIsWritten() {
    Path out = directory.resolve("missing").resolve("alice.e4");

    assertThatThrownBy(() -> StagedStateFile.prepare(out, false))
        .isInstanceOf(CommandFailure.class)
        .hasMessageContaining("does not exist");
    assertThat(directory.resolve("missing")).doesNotExist();
  }

  @Test
  void aLeftOverStagedFile_isNeverOverwritten_forItMayHoldKeys() throws Exception {
    Path out = directory.resolve("alice.e4");
    Path leftOver = Files.writeString(directory.resolve(".alice.e4.provisioning"), "keys");

    assertThatThrownBy(() -> StagedStateFile.prepare(out, false))
        .isInstanceOf(CommandFailure.class)
        .hasMessageContaining(leftOver + " exists: an earlier provisioning");
    assertThat(leftOver).hasContent("keys");
  }

  @Test
  void aMoveThatFailsAfterC2CreatedTheDevice_saysWhereTheKeysAreAndHowToRecover() throws Exception {
    Path out = directory.resolve("alice.e4");
    StagedStateFile file = StagedStateFile.prepare(out, false);
    writeDevice(file);
    // Something took the destination meanwhile: a directory, not empty.
    Files.createDirectories(out.resolve("taken"));

    assertThatThrownBy(
            () ->
                file.commit(
                    "C2 created device alice", "remove the device (e4 devices remove alice)"))
        .isInstanceOf(CommandFailure.class)
        .hasMessage(
            "C2 created device alice, but its state file could not be put at "
                + out
                + " (it exists already). The device's keys are in "
                + file.staging()
                + " (owner-only): move it there yourself (mv "
                + file.staging()
                + " "
                + out
                + "), or remove the device (e4 devices remove alice) and provision it again");
    try (E4Client device = E4Client.load(ClientStore.file(file.staging()))) {
      assertThat(device.id()).isEqualTo(Keys.idFromName("alice"));
    }
  }

  @Test
  void discarded_nothingIsLeft() throws Exception {
    StagedStateFile file = StagedStateFile.prepare(directory.resolve("alice.e4"), false);
    writeDevice(file);

    file.discard();

    try (var files = Files.list(directory)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void printedPaths_areQuotedOnlyWhenTheShellNeedsIt() {
    assertThat(Shell.quote("/var/lib/meter/alice.e4")).isEqualTo("/var/lib/meter/alice.e4");
    assertThat(Shell.quote("my devices/alice.e4")).isEqualTo("'my devices/alice.e4'");
    assertThat(Shell.quote("it's.e4")).isEqualTo("'it'\\''s.e4'");
  }
}
