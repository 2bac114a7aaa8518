package io.e4j.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.e4j.api.v1.CreateDeviceRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceCsvTest {
  private static final String KEY =
      "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

  @TempDir Path directory;

  private Path csv(String... lines) throws IOException {
    Path file = directory.resolve("devices.csv");
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return file;
  }

  private static List<DeviceCsv.Line> readAll(DeviceCsv csv) {
    List<DeviceCsv.Line> lines = new ArrayList<>();
    for (Optional<DeviceCsv.Line> line = csv.next(); line.isPresent(); line = csv.next()) {
      lines.add(line.get());
    }
    return lines;
  }

  @Test
  void keys_everyBadLineReportedWithItsLineNumber_goodLinesKept() throws IOException {
    Path file =
        csv(
            "name,key",
            "meter-1," + KEY,
            "meter-2," + KEY.substring(2),
            "",
            "meter-3,zz" + KEY.substring(2),
            "," + KEY,
            "meter-5",
            "\"meter-6," + KEY,
            "meter-7," + KEY.toUpperCase(),
            "meter-8,\"" + KEY + "\"x");
    try (DeviceCsv csv = DeviceCsv.open(file, false)) {
      assertThat(csv.credential()).isEqualTo(DeviceCsv.Credential.KEY);
      List<DeviceCsv.Line> lines = readAll(csv);
      assertThat(lines).extracting(DeviceCsv.Line::number).containsExactly(2, 3, 5, 6, 7, 8, 9, 10);
      assertThat(lines.get(0)).isInstanceOf(DeviceCsv.Entry.class);
      assertThat(lines.get(1))
          .isEqualTo(new DeviceCsv.Problem(3, "key has 62 hex digits; expected 64 (32 bytes)"));
      assertThat(lines.get(2)).isEqualTo(new DeviceCsv.Problem(5, "key is not hexadecimal"));
      assertThat(lines.get(3)).isEqualTo(new DeviceCsv.Problem(6, "the name is missing"));
      assertThat(lines.get(4)).isEqualTo(new DeviceCsv.Problem(7, "expected 2 fields, found 1"));
      assertThat(((DeviceCsv.Problem) lines.get(5)).message())
          .contains("quoted field is not closed");
      assertThat(lines.get(6)).isInstanceOf(DeviceCsv.Entry.class);
      assertThat(((DeviceCsv.Problem) lines.get(7)).message()).contains("after a closing quote");
      CreateDeviceRequest first = ((DeviceCsv.Entry) lines.get(0)).request();
      assertThat(first.getDevice().getName()).isEqualTo("meter-1");
      assertThat(first.getKey().toByteArray()).isEqualTo(HexFormat.of().parseHex(KEY));
      assertThat(first.getReplace()).isFalse();
    }
  }

  @Test
  void passwordsKeepCommasAndQuotesWhenQuoted_andMustBeLongEnough() throws IOException {
    Path file =
        csv(
            "\uFEFFName, Password ,id",
            "meter-1,\"a long, \"\"quoted\"\" password\",00112233445566778899AABBCCDDEEFF",
            "meter-2,short,",
            "meter-3,another long password,0011");
    try (DeviceCsv csv = DeviceCsv.open(file, true)) {
      assertThat(csv.credential()).isEqualTo(DeviceCsv.Credential.PASSWORD);
      List<DeviceCsv.Line> lines = readAll(csv);
      CreateDeviceRequest first = ((DeviceCsv.Entry) lines.get(0)).request();
      assertThat(first.getPassword()).isEqualTo("a long, \"quoted\" password");
      assertThat(first.getDevice().getId()).isEqualTo("00112233445566778899aabbccddeeff");
      assertThat(first.getReplace()).isTrue();
      assertThat(lines.get(1))
          .isEqualTo(new DeviceCsv.Problem(3, "password has 5 characters; at least 16 are needed"));
      assertThat(((DeviceCsv.Problem) lines.get(2)).message()).contains("is not a device ID");
    }
  }

  @Test
  void noCredentialColumn_meansGenerated() throws IOException {
    try (DeviceCsv csv = DeviceCsv.open(csv("name", "meter-1"), false)) {
      assertThat(csv.credential()).isEqualTo(DeviceCsv.Credential.GENERATE);
      assertThat(((DeviceCsv.Entry) csv.next().orElseThrow()).request().getGenerate()).isTrue();
      assertThat(csv.next()).isEmpty();
    }
  }

  @Test
  void badHeaders_refusedAsLineOne() throws IOException {
    assertThatThrownBy(() -> DeviceCsv.open(csv("name,key,password"), false))
        .hasMessageEndingWith(
            "devices.csv:1: one credential column at most; found key and password");
    assertThatThrownBy(() -> DeviceCsv.open(csv("key"), false))
        .hasMessageContaining(":1: no 'name' column");
    assertThatThrownBy(() -> DeviceCsv.open(csv("name,colour"), false))
        .hasMessageContaining(":1: unknown column 'colour'");
    assertThatThrownBy(() -> DeviceCsv.open(csv("name,name"), false))
        .hasMessageContaining(":1: column 'name' appears twice");
    Files.writeString(directory.resolve("empty.csv"), "");
    assertThatThrownBy(() -> DeviceCsv.open(directory.resolve("empty.csv"), false))
        .isInstanceOf(CommandFailure.class)
        .hasMessageContaining("empty.csv:1: the file is empty");
  }

  @Test
  void digestCoversTheLinesRead_andSkippingReadsTheSameLines() throws IOException {
    Path file = csv("name,key", "meter-1," + KEY, "", "meter-2," + KEY, "meter-3," + KEY);
    String afterTwoDevices;
    try (DeviceCsv csv = DeviceCsv.open(file, false)) {
      csv.next();
      csv.next();
      assertThat(csv.lineNumber()).isEqualTo(4);
      afterTwoDevices = csv.digestSoFar();
      assertThat(csv.digestSoFar())
          .as("reading the digest changes nothing")
          .isEqualTo(afterTwoDevices);
    }
    try (DeviceCsv csv = DeviceCsv.open(file, false)) {
      assertThat(csv.skipTo(4)).isTrue();
      assertThat(csv.digestSoFar()).isEqualTo(afterTwoDevices);
      assertThat(csv.next().orElseThrow().number()).isEqualTo(5);
      assertThat(csv.skipTo(9)).isFalse();
    }
    Files.writeString(file, Files.readString(file).replace("meter-2", "meter-X"));
    try (DeviceCsv csv = DeviceCsv.open(file, false)) {
      csv.skipTo(4);
      assertThat(csv.digestSoFar()).isNotEqualTo(afterTwoDevices);
    }
  }

  @Test
  void fields_followRfc4180OnOneLine() {
    assertThat(DeviceCsv.fields("a,,\"b,c\",\"\"\"\",")).containsExactly("a", "", "b,c", "\"", "");
    assertThatThrownBy(() -> DeviceCsv.fields("a\"b")).hasMessageContaining("quote inside");
  }
}
