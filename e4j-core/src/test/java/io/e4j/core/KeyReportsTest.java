package io.e4j.core;

import static io.e4j.core.TestDevices.NOW;
import static io.e4j.core.TestDevices.TOPIC;
import static io.e4j.core.TestDevices.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.e4j.core.E4Exception.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyReportsTest {
  @TempDir Path directory;

  private final MutableClock clock = MutableClock.atEpochSecond(NOW);

  private static Reason reasonOf(Runnable action) {
    try {
      action.run();
    } catch (E4Exception e) {
      return e.reason();
    }
    throw new AssertionError("expected an E4Exception");
  }

  private void command(E4Client device, byte[] command, byte[] commandKey) {
    device.unprotect(device.controlTopic(), Commands.protect(command, commandKey, clock.instant()));
  }

  @Test
  void symmetricReport_opensWithTheClientKey_andTellsEveryKeyHeld() {
    E4Client device = TestDevices.symmetric("device", clock).build();
    command(device, Commands.setTopicKey(key("t1"), TOPIC), key("client/device"));
    command(device, Commands.setTopicKey(key("t2"), "other"), key("client/device"));
    clock.advance(Duration.ofSeconds(3));

    KeyReport report = KeyReports.openSymmetric(device.keyReport(), key("client/device"));

    assertThat(report.deviceId()).isEqualTo(device.id());
    assertThat(report.timestamp()).isEqualTo(NOW + 3);
    assertThat(report.sequence()).isEqualTo(1);
    assertThat(report.lastCommandTime()).isEqualTo(NOW);
    assertThat(report.ownKeyFingerprint())
        .isEqualTo(KeyReports.ownKeyFingerprint(E4Client.Mode.SYMMETRIC, key("client/device")));
    assertThat(report.c2KeyFingerprint()).isNull();
    assertThat(fingerprints(report))
        .isEqualTo(expected(Map.of(TOPIC, key("t1"), "other", key("t2"))));
  }

  @Test
  void publicKeyReport_isSignedAndSealed_andTellsC2sKeyToo() {
    E4Client device = TestDevices.publicKey("device", clock).build();
    command(
        device, Commands.setTopicKey(key("t1"), TOPIC), TestDevices.publicKeyCommandKey("device"));

    KeyReport report =
        KeyReports.openSigned(
            device.keyReport(), TestDevices.publicKeyCommandKey("device"), device.publicKey());

    assertThat(report.ownKeyFingerprint())
        .isEqualTo(KeyReports.ownKeyFingerprint(E4Client.Mode.PUBLIC_KEY, device.publicKey()));
    assertThat(report.c2KeyFingerprint())
        .isEqualTo(KeyReports.c2KeyFingerprint(TestDevices.c2PublicKey()));
    assertThat(fingerprints(report)).isEqualTo(expected(Map.of(TOPIC, key("t1"))));
    assertThat(report.topicKeyFingerprint(Keys.topicHash(TOPIC)))
        .hasValue(KeyReports.topicKeyFingerprint(Keys.topicHash(TOPIC), key("t1")));
    assertThat(report.topicKeyFingerprint(Keys.topicHash("absent"))).isEmpty();
  }

  @Test
  void sequence_growsWithEveryReport_andSurvivesARestart() {
    Path file = directory.resolve("device.e4");
    E4Client device = TestDevices.symmetric("device", clock).store(ClientStore.file(file)).build();
    device.keyReport();
    device.keyReport();

    E4Client restarted = E4Client.load(ClientStore.file(file), clock);

    assertThat(KeyReports.openSymmetric(restarted.keyReport(), key("client/device")).sequence())
        .isEqualTo(3);
  }

  @Test
  void aReportWhoseSequenceCannotBeSaved_isNotMade() {
    ClientStore memory = ClientStore.memory();
    boolean[] failing = {false};
    ClientStore store =
        new ClientStore() {
          @Override
          public java.util.Optional<byte[]> read() {
            return memory.read();
          }

          @Override
          public void write(byte[] state) {
            if (failing[0]) {
              throw new E4Exception(Reason.STORAGE, "disk full");
            }
            memory.write(state);
          }

          @Override
          public String location() {
            return "failing";
          }
        };
    E4Client device = TestDevices.symmetric("device", clock).store(store).build();
    device.keyReport();
    failing[0] = true;

    assertThat(reasonOf(device::keyReport)).isEqualTo(Reason.STORAGE);
    failing[0] = false;
    assertThat(KeyReports.openSymmetric(device.keyReport(), key("client/device")).sequence())
        .isEqualTo(2);
  }

  /** Every refusal of a report that is not the one sealed (a flipped mode bit may be any). */
  private static final List<Reason> OPENED_NOTHING =
      List.of(
          Reason.NOT_AUTHENTIC,
          Reason.INVALID_SIGNATURE,
          Reason.INVALID_ARGUMENT,
          Reason.MESSAGE_TOO_SHORT,
          Reason.WRONG_MODE);

  @Test
  void everyFlippedBit_isRefused_inBothModes() {
    E4Client symmetric = TestDevices.symmetric("device", clock).build();
    symmetric.setTopicKey(TOPIC, key("t1"));
    E4Client signed = TestDevices.publicKey("device", clock).build();
    signed.setTopicKey(TOPIC, key("t1"));
    byte[] symmetricReport = symmetric.keyReport();
    byte[] signedReport = signed.keyReport();
    int cases = 0;

    for (int bit = 0; bit < symmetricReport.length * 8; bit++) {
      byte[] flipped = flip(symmetricReport, bit);
      assertThat(reasonOf(() -> KeyReports.openSymmetric(flipped, key("client/device"))))
          .as("bit %d", bit)
          .isIn(OPENED_NOTHING);
      cases++;
    }
    for (int bit = 0; bit < signedReport.length * 8; bit++) {
      byte[] flipped = flip(signedReport, bit);
      assertThat(
              reasonOf(
                  () ->
                      KeyReports.openSigned(
                          flipped, TestDevices.publicKeyCommandKey("device"), signed.publicKey())))
          .as("bit %d", bit)
          .isIn(OPENED_NOTHING);
      cases++;
    }
    System.out.println("KeyReportsTest: " + cases + " flipped bits refused");
  }

  @Test
  void wrongKeys_wrongMode_andWhatIsNotAReport_areRefusedWithTheirReason() {
    E4Client symmetric = TestDevices.symmetric("device", clock).build();
    E4Client signed = TestDevices.publicKey("device", clock).build();
    E4Client other = TestDevices.publicKey("other", clock).build();
    byte[] symmetricReport = symmetric.keyReport();
    byte[] signedReport = signed.keyReport();
    byte[] shared = TestDevices.publicKeyCommandKey("device");

    assertThat(reasonOf(() -> KeyReports.openSymmetric(symmetricReport, key("client/other"))))
        .isEqualTo(Reason.NOT_AUTHENTIC);
    assertThat(
            reasonOf(() -> KeyReports.openSigned(signedReport, key("wrong"), signed.publicKey())))
        .isEqualTo(Reason.NOT_AUTHENTIC);
    assertThat(reasonOf(() -> KeyReports.openSigned(signedReport, shared, other.publicKey())))
        .isEqualTo(Reason.INVALID_SIGNATURE);
    assertThat(reasonOf(() -> KeyReports.openSigned(symmetricReport, shared, signed.publicKey())))
        .isEqualTo(Reason.WRONG_MODE);
    assertThat(reasonOf(() -> KeyReports.openSymmetric(signedReport, shared)))
        .isEqualTo(Reason.WRONG_MODE);
    assertThat(
            reasonOf(
                () ->
                    KeyReports.openSymmetric(
                        Arrays.copyOf(symmetricReport, 84), key("client/device"))))
        .isEqualTo(Reason.MESSAGE_TOO_SHORT);
    assertThat(reasonOf(() -> KeyReports.claimedDeviceId(Arrays.copyOf(signedReport, 164))))
        .isEqualTo(Reason.MESSAGE_TOO_SHORT);
    byte[] command =
        Commands.protect(Commands.setTopicKey(key("t"), TOPIC), key("k"), clock.instant());
    byte[] padded = Arrays.copyOf(command, 200);
    assertThat(reasonOf(() -> KeyReports.claimedDeviceId(padded)))
        .isEqualTo(Reason.INVALID_ARGUMENT);
    assertThat(KeyReports.claimedDeviceId(signedReport)).isEqualTo(signed.id());
  }

  @Test
  void aReportOnTheControlTopic_isRefusedBeforeAnyKey_andChangesNothing() throws IOException {
    Path file = directory.resolve("device.e4");
    E4Client device = TestDevices.symmetric("device", clock).store(ClientStore.file(file)).build();
    device.setTopicKey(TOPIC, key("t1"));
    byte[] report = device.keyReport();
    byte[] saved = Files.readAllBytes(file);
    E4Client signed = TestDevices.publicKey("signed", clock).build();
    signed.setTopicKey(TOPIC, key("t1"));

    assertThat(reasonOf(() -> device.unprotect(device.controlTopic(), report)))
        .isEqualTo(Reason.TIMESTAMP_IN_FUTURE);
    assertThat(reasonOf(() -> device.unprotect(TOPIC, report)))
        .isEqualTo(Reason.TIMESTAMP_IN_FUTURE);
    assertThat(reasonOf(() -> signed.unprotect(signed.controlTopic(), signed.keyReport())))
        .isEqualTo(Reason.TIMESTAMP_IN_FUTURE);
    assertThat(Files.readAllBytes(file)).isEqualTo(saved);
    assertThat(device.hasTopicKey(TOPIC)).isTrue();
    long asTimestamp =
        java.nio.ByteBuffer.wrap(report, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(Long.compareUnsigned(asTimestamp, Long.MIN_VALUE))
        .as("as an unsigned E4 timestamp, at least 2^63 (e4go and libe4 compare unsigned)")
        .isGreaterThanOrEqualTo(0);
  }

  @Test
  void brokerPassword_isTheDerivationOfTheCommandKey_andFollowsSetIdKey() {
    E4Client device = TestDevices.symmetric("device", clock).build();
    String before = device.brokerPassword();

    command(device, Commands.setIdKey(key("new")), key("client/device"));

    assertThat(before).isEqualTo(KeyReports.brokerPassword(key("client/device"))).hasSize(43);
    assertThat(before).matches("[A-Za-z0-9_-]{43}");
    assertThat(device.brokerPassword()).isEqualTo(KeyReports.brokerPassword(key("new")));
    assertThat(TestDevices.publicKey("device", clock).build().brokerPassword())
        .isEqualTo(KeyReports.brokerPassword(TestDevices.publicKeyCommandKey("device")));
  }

  @Test
  void reportTopic_isUnderTheFilter_withTheHexId() {
    E4Client device = TestDevices.symmetric("device", clock).build();

    assertThat(device.reportTopic())
        .isEqualTo("e4j/reports/" + HexFormat.of().formatHex(device.id()))
        .isEqualTo(KeyReports.reportTopic(device.id()))
        .startsWith(KeyReports.REPORT_TOPIC_FILTER.replace("+", ""));
  }

  @Test
  void fingerprints_separateTopicsModesAndKeys() {
    byte[] sameKey = key("k");
    byte[] a = KeyReports.topicKeyFingerprint(Keys.topicHash("a"), sameKey);
    byte[] b = KeyReports.topicKeyFingerprint(Keys.topicHash("b"), sameKey);

    assertThat(a).hasSize(16).isNotEqualTo(b);
    assertThat(KeyReports.ownKeyFingerprint(E4Client.Mode.SYMMETRIC, sameKey))
        .isNotEqualTo(KeyReports.ownKeyFingerprint(E4Client.Mode.PUBLIC_KEY, sameKey))
        .isNotEqualTo(KeyReports.c2KeyFingerprint(sameKey));
    assertThat(reasonOf(() -> KeyReports.topicKeyFingerprint(new byte[15], sameKey)))
        .isEqualTo(Reason.INVALID_ARGUMENT);
    assertThat(reasonOf(() -> KeyReports.brokerPassword(new byte[31])))
        .isEqualTo(Reason.INVALID_KEY);
  }

  @Test
  void keyReport_copiesItsArrays_andPrintsNoKey() {
    KeyReport report =
        KeyReports.openSymmetric(
            TestDevices.symmetric("device", clock).build().keyReport(), key("client/device"));
    byte[] id = report.deviceId();
    id[0] ^= 1;

    assertThat(report.deviceId()).isNotEqualTo(id);
    assertThat(report.toString())
        .contains(HexFormat.of().formatHex(report.ownKeyFingerprint()))
        .doesNotContain(HexFormat.of().formatHex(key("client/device")));
    assertThat(report)
        .isEqualTo(
            new KeyReport(
                report.deviceId(),
                report.timestamp(),
                report.sequence(),
                report.lastCommandTime(),
                report.ownKeyFingerprint(),
                null,
                List.of()));
  }

  private static byte[] flip(byte[] bytes, int bit) {
    byte[] flipped = bytes.clone();
    flipped[bit / 8] ^= (byte) (1 << (bit % 8));
    return flipped;
  }

  private static Map<String, String> fingerprints(KeyReport report) {
    Map<String, String> byHash = new TreeMap<>();
    for (KeyReport.TopicKeyFingerprint topic : report.topics()) {
      byHash.put(
          HexFormat.of().formatHex(topic.topicHash()),
          HexFormat.of().formatHex(topic.keyFingerprint()));
    }
    return byHash;
  }

  private static Map<String, String> expected(Map<String, byte[]> keys) {
    Map<String, String> byHash = new TreeMap<>();
    keys.forEach(
        (topic, key) ->
            byHash.put(
                HexFormat.of().formatHex(Keys.topicHash(topic)),
                HexFormat.of()
                    .formatHex(KeyReports.topicKeyFingerprint(Keys.topicHash(topic), key))));
    return byHash;
  }
}
