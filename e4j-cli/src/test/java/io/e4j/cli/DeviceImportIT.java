package io.e4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.e4j.cli.C2Fixture.Run;
import io.e4j.cli.internal.ImportProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code e4 devices import} of 10,000 devices against a real C2, then listed page by page. */
class DeviceImportIT {
  private static final int DEVICES = 10_000;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern REPORTED = Pattern.compile("^.*devices\\.csv:(\\d+): (.*)$");

  /** Line number (the header is 1) to the bad line placed there. */
  private static final Map<Integer, String> BAD_LINES = new LinkedHashMap<>();

  static {
    BAD_LINES.put(18, "meter-bad-1,00ff");
    BAD_LINES.put(2_002, ",0011223344556677889900112233445566778899001122334455667788990011");
    BAD_LINES.put(
        5_000, "meter-bad-3,zz11223344556677889900112233445566778899001122334455667788990011");
    BAD_LINES.put(7_777, "\"meter-bad-4,0011");
    // a name the file already gave line 3: C2 refuses it as existing
    BAD_LINES.put(9_990, "meter-00001," + "ab".repeat(32));
  }

  @TempDir Path directory;

  private C2Fixture c2;
  private Path csv;

  @BeforeEach
  void start() throws Exception {
    c2 = C2Fixture.start(directory);
    assertThat(c2.loginAsAdmin().exitCode()).isZero();
    csv = directory.resolve("devices.csv");
    List<String> lines = new ArrayList<>(List.of("name,key"));
    SecureRandom random = new SecureRandom();
    int device = 0;
    while (device < DEVICES) {
      int lineNumber = lines.size() + 1;
      if (BAD_LINES.containsKey(lineNumber)) {
        lines.add(BAD_LINES.get(lineNumber));
      } else {
        byte[] key = new byte[32];
        random.nextBytes(key);
        lines.add(String.format("meter-%05d,%s", device++, HexFormat.of().formatHex(key)));
      }
    }
    Files.write(csv, lines);
    assertThat(lines).hasSize(DEVICES + BAD_LINES.size() + 1);
  }

  @AfterEach
  void stop() {
    c2.close();
  }

  private static Set<Integer> reportedLines(String err) {
    Set<Integer> lines = new TreeSet<>();
    for (String line : err.lines().toList()) {
      Matcher matcher = REPORTED.matcher(line);
      if (matcher.matches()) {
        assertThat(lines.add(Integer.parseInt(matcher.group(1))))
            .as("reported once: " + line)
            .isTrue();
      }
    }
    return lines;
  }

  @Test
  void importsTenThousandDevices_reportsTheBadLinesByNumber_thenListsThemPageByPage()
      throws Exception {
    long started = System.nanoTime();
    Run imported = c2.e4("devices", "import", csv.toString());
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertThat(imported.exitCode()).as(imported.toString()).isEqualTo(1);
    assertThat(imported.out()).isEqualTo("10,000 created, 5 failed" + System.lineSeparator());
    assertThat(reportedLines(imported.err())).containsExactlyElementsOf(BAD_LINES.keySet());
    assertThat(imported.err())
        .contains("devices.csv:18: key has 4 hex digits; expected 64 (32 bytes)")
        .contains("devices.csv:2002: the name is missing")
        .contains("devices.csv:5000: key is not hexadecimal")
        .contains("devices.csv:7777: a quoted field is not closed")
        .containsPattern("devices\\.csv:9990: .*meter-00001")
        .contains("devices.csv: 50% (")
        .contains("devices.csv: 100% (10,005 of 10,005 lines)");
    assertThat(ImportProgress.fileFor(csv)).doesNotExist();
    System.out.println("imported 10,005 lines in " + took.toMillis() + " ms");

    JsonNode status = JSON.readTree(c2.e4("status", "-o", "json").out());
    assertThat(status.at("/counts/devices").asLong()).isEqualTo(DEVICES);

    Set<String> names = new HashSet<>();
    String token = "";
    int pages = 0;
    do {
      List<String> args =
          new ArrayList<>(List.of("devices", "list", "--page-size", "1000", "-o", "json"));
      if (!token.isEmpty()) {
        args.addAll(List.of("--page-token", token));
      }
      Run page = c2.e4(args.toArray(String[]::new));
      assertThat(page.exitCode()).as(page.toString()).isZero();
      JsonNode listing = JSON.readTree(page.out());
      for (JsonNode device : listing.get("devices")) {
        assertThat(names.add(device.get("name").asText())).as("listed once").isTrue();
      }
      token = listing.get("nextPageToken").asText();
      pages++;
    } while (!token.isEmpty());
    assertThat(names).hasSize(DEVICES).contains("meter-00000", "meter-09999");
    assertThat(pages).isBetween(10, 11);

    Run firstPage = c2.e4("devices", "list", "--page-size", "1000");
    assertThat(firstPage.out().lines()).hasSize(1001);
    assertThat(firstPage.err()).contains("more devices follow: add --page-token ");
    Run all = c2.e4("devices", "list", "--prefix", "meter-0999", "--all");
    assertThat(all.out().lines()).hasSize(11);
  }

  @Test
  void anImportCutOffByAServerStop_resumesWhereItStopped_withoutSpuriousErrors() throws Exception {
    CompletableFuture<Run> cutOff =
        CompletableFuture.supplyAsync(
            () -> c2.e4("devices", "import", csv.toString(), "--batch-size", "100"));
    Path progress = ImportProgress.fileFor(csv);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                cutOff.isDone()
                    || (Files.exists(progress)
                        && ImportProgress.read(progress).orElseThrow().linesDone() > 1_000));
    c2.stopServer();
    Run first = cutOff.join();
    assertThat(first.exitCode()).as(first.toString()).isEqualTo(6);
    assertThat(first.err()).contains("run the same command again to resume");
    int done = ImportProgress.read(progress).orElseThrow().linesDone();
    assertThat(done).isBetween(1, DEVICES);

    c2.startServerAgain();
    Run resumed = c2.e4("devices", "import", csv.toString());
    assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(1);
    assertThat(resumed.err()).contains("e4: resuming " + csv + " after line " + done);
    assertThat(resumed.out()).isEqualTo("10,000 created, 5 failed" + System.lineSeparator());
    Set<Integer> reported = new TreeSet<>(reportedLines(first.err()));
    Set<Integer> reportedAgain = reportedLines(resumed.err());
    assertThat(reportedAgain).allMatch(line -> line > done);
    reported.addAll(reportedAgain);
    assertThat(reported).containsExactlyElementsOf(BAD_LINES.keySet());
    assertThat(progress).doesNotExist();
    JsonNode status = JSON.readTree(c2.e4("status", "-o", "json").out());
    assertThat(status.at("/counts/devices").asLong()).isEqualTo(DEVICES);
  }

  @Test
  void aBatchSentButUnanswered_countsItsExistingDevicesAsCreated() throws Exception {
    // The interrupted run created lines 2 to 1,000, but recorded only lines up to 500 as done,
    // with the batch of lines 501 to 1,000 sent and its answer lost.
    Path firstPart = directory.resolve("first-part.csv");
    Files.write(firstPart, Files.readAllLines(csv).subList(0, 1_000));
    Run partial = c2.e4("devices", "import", firstPart.toString());
    assertThat(partial.out()).isEqualTo("998 created, 1 failed" + System.lineSeparator());
    String digest;
    try (var reader = io.e4j.cli.internal.DeviceCsv.open(csv, false)) {
      reader.skipTo(500);
      digest = reader.digestSoFar();
    }
    new ImportProgress(500, digest, 498, 1, 1_000).write(ImportProgress.fileFor(csv));

    Run resumed = c2.e4("devices", "import", csv.toString());
    assertThat(resumed.out()).isEqualTo("10,000 created, 5 failed" + System.lineSeparator());
    assertThat(resumed.err())
        .contains(
            "e4: 500 device(s) up to line 1000 existed already: the interrupted import had"
                + " sent them, and they count as created");
    assertThat(reportedLines(resumed.err()))
        .containsExactlyElementsOf(BAD_LINES.keySet().stream().filter(line -> line > 500).toList());
    assertThat(JSON.readTree(c2.e4("status", "-o", "json").out()).at("/counts/devices").asLong())
        .isEqualTo(DEVICES);
  }

  @Test
  void aFileEditedSinceTheInterruption_isNotResumed() throws Exception {
    Path progress = ImportProgress.fileFor(csv);
    new ImportProgress(500, "00".repeat(32), 498, 1, 0).write(progress);
    Run refused = c2.e4("devices", "import", csv.toString());
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.err())
        .contains("is not the file whose import")
        .contains("run again with --restart");
    assertThat(progress).exists();
    assertThat(JSON.readTree(c2.e4("status", "-o", "json").out()).at("/counts/devices").asLong())
        .isZero();
  }

  @Test
  void generatedKeys_goToAnOwnerOnlyFile() throws Exception {
    Path names = directory.resolve("new.csv");
    Files.write(names, List.of("name", "gen-1", "gen-2", "gen-3"));
    Path keys = directory.resolve("new.keys.csv");
    Run imported = c2.e4("devices", "import", names.toString(), "--keys-out", keys.toString());
    assertThat(imported.exitCode()).as(imported.toString()).isZero();
    List<String> written = Files.readAllLines(keys);
    assertThat(written).hasSize(4).first().isEqualTo("name,id,key");
    assertThat(written.get(1)).matches("gen-1,[0-9a-f]{32},[0-9a-f]{64}");
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(keys)))
        .isEqualTo("rw-------");
  }
}
