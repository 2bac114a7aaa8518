package io.e4j.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files an import leaves beside its CSV: its progress, and the keys C2 generated. */
class ImportFilesTest {
  @TempDir Path directory;

  @Test
  void progress_roundTrips_nextToTheCsv_andADamagedOneIsReported() throws IOException {
    Path csv = directory.resolve("devices.csv");
    Path file = ImportProgress.fileFor(csv);
    assertThat(file).isEqualTo(directory.resolve("devices.csv.e4progress"));
    assertThat(ImportProgress.read(file)).isEmpty();
    ImportProgress progress = new ImportProgress(501, "ab".repeat(32), 499, 2, 0);
    progress.write(file);
    assertThat(progress.sending(700))
        .as("a batch on its way keeps the counts of the lines done")
        .isEqualTo(new ImportProgress(501, "ab".repeat(32), 499, 2, 700));
    new ImportProgress(1001, "cd".repeat(32), 998, 3, 0).write(file);
    assertThat(ImportProgress.read(file))
        .contains(new ImportProgress(1001, "cd".repeat(32), 998, 3, 0));
    try (var files = Files.list(directory)) {
      assertThat(files).containsExactly(file);
    }
    Files.writeString(file, "garbage");
    assertThatThrownBy(() -> ImportProgress.read(file))
        .isInstanceOf(CommandFailure.class)
        .hasMessageContaining("use --restart");
  }

  @Test
  void generatedKeys_ownerOnly_neverOverwritten_appendedOnResume() throws IOException {
    Path keys = directory.resolve("keys.csv");
    try (GeneratedKeys out = GeneratedKeys.open(keys, false)) {
      out.add("meter-1", "00".repeat(16), new byte[32]);
      out.add("odd, \"name\"", "11".repeat(16), new byte[32]);
      out.sync();
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys)))
        .isEqualTo("rw-------");
    assertThatThrownBy(() -> GeneratedKeys.open(keys, false))
        .isInstanceOf(CommandFailure.class)
        .hasMessageContaining("exists already");
    try (GeneratedKeys out = GeneratedKeys.open(keys, true)) {
      out.add("meter-3", "22".repeat(16), new byte[32]);
      out.sync();
    }
    assertThat(Files.readAllLines(keys))
        .containsExactly(
            "name,id,key",
            "meter-1," + "00".repeat(16) + "," + "00".repeat(32),
            "\"odd, \"\"name\"\"\"," + "11".repeat(16) + "," + "00".repeat(32),
            "meter-3," + "22".repeat(16) + "," + "00".repeat(32));
    // the keys file is itself a CSV that the parser reads back, quoted names included
    assertThat(DeviceCsv.fields(Files.readAllLines(keys).get(2)))
        .first()
        .isEqualTo("odd, \"name\"");
  }
}
