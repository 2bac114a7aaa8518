package io.e4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM while it rewrites its state file, many times over: the file must always load,
 * holding either the state before a change or the one after it.
 */
class FileStoreKillIT {
  private static final int KILLS = 25;

  @TempDir Path directory;

  @Test
  void stateAlwaysLoadsAfterTheWriterIsKilled() throws Exception {
    Path file = directory.resolve("device.e4");
    Random random = new Random(42);
    int loaded = 0;
    int killedMidWrite = 0;
    for (int kill = 0; kill < KILLS; kill++) {
      Process writer = startWriter(file);
      awaitReady(writer);
      Thread.sleep(random.nextInt(200));
      writer.destroyForcibly();
      assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
      if (Files.exists(directory.resolve(".device.e4.tmp"))) {
        killedMidWrite++;
      }

      try (E4Client device = E4Client.load(ClientStore.file(file))) {
        assertThat(device.id()).isEqualTo(Keys.idFromName("kill-test"));
        assertThat(device.topicHashes().size())
            .isBetween(StoreWriterProcess.TOPICS - 1, StoreWriterProcess.TOPICS);
        loaded++;
      }
    }
    System.out.println(
        "kill-during-write: state loaded after "
            + loaded
            + " of "
            + KILLS
            + " kills; "
            + killedMidWrite
            + " of them left a half-written temporary file");
    assertThat(loaded).isEqualTo(KILLS);
  }

  private static Process startWriter(Path file) throws IOException {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    return new ProcessBuilder(
            java.toString(),
            // A JVM that starts quickly (25 of them per run): what is killed is the file's
            // rewriting, which needs no optimizing compiler nor a parallel collector.
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-cp",
            System.getProperty("java.class.path"),
            StoreWriterProcess.class.getName(),
            file.toString())
        .redirectErrorStream(true)
        .start();
  }

  private static void awaitReady(Process writer) throws IOException {
    BufferedReader output =
        new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8));
    String line;
    StringBuilder seen = new StringBuilder();
    while ((line = output.readLine()) != null) {
      if (line.equals("ready")) {
        return;
      }
      seen.append(line).append('\n');
    }
    throw new AssertionError("the writer process ended before it was ready:\n" + seen);
  }
}
