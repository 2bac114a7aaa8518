package io.e4j.core.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.e4j.core.internal.crypto.AesSiv;
import io.e4j.core.internal.crypto.Hashing;
import io.e4j.core.internal.protocol.AppliedCommands;
import io.e4j.core.internal.protocol.DeviceState;
import io.e4j.core.internal.protocol.Id16;
import io.e4j.core.internal.protocol.Names;
import io.e4j.core.internal.protocol.ProtocolException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class StateCodecTest {
  private static final long NOW = 1_700_000_005L;

  private final AesSiv siv = new AesSiv();
  private final Id16 id = Id16.of(Names.idFromName("device"));
  private final Id16 topic = Id16.of(Names.topicHash("sensors/t"));

  private DeviceState device() {
    return DeviceState.symmetric(siv, id, Names.controlTopic(id.toBytes()), key("client"))
        .withTopicKey(siv, topic, key("topic"), NOW);
  }

  private static byte[] key(String label) {
    return Hashing.sha3(label.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void appliedCommandsAndReportSequence_surviveASaveAndLoad() {
    DeviceState saved =
        device()
            .withAppliedCommands(
                AppliedCommands.none().with(NOW, new Id16(1, 2)).with(NOW, new Id16(3, 4)))
            .withReportSequence(41);

    DeviceState loaded = StateCodec.decode(StateCodec.encode(saved), "test", siv);

    assertThat(loaded.lastCommandTime()).isEqualTo(NOW);
    assertThat(loaded.appliedCommands().count()).isEqualTo(2);
    assertThat(loaded.appliedCommands().fingerprint(1)).isEqualTo(new Id16(3, 4));
    assertThat(loaded.appliedCommands().fingerprintsKnown()).isTrue();
    assertThat(loaded.reportSequence()).isEqualTo(41);
    assertThat(loaded.topics()).containsKey(topic);
  }

  @Test
  void unknownFingerprints_stayUnknownAcrossASave() {
    DeviceState saved =
        device()
            .withAppliedCommands(
                AppliedCommands.withoutFingerprints(NOW).with(NOW, new Id16(5, 6)));

    AppliedCommands loaded =
        StateCodec.decode(StateCodec.encode(saved), "test", siv).appliedCommands();

    assertThat(loaded.fingerprintsKnown()).isFalse();
    assertThat(loaded.count()).isEqualTo(1);
  }

  @Test
  void version1_isRead_itsNewestSecondUnknown_andItsReportSequenceZero() {
    DeviceState saved =
        device().withAppliedCommands(AppliedCommands.none().with(NOW, new Id16(1, 2)));

    DeviceState loaded = StateCodec.decode(asVersion1(StateCodec.encode(saved)), "test", siv);

    assertThat(loaded.lastCommandTime()).isEqualTo(NOW);
    assertThat(loaded.appliedCommands().fingerprintsKnown()).isFalse();
    assertThat(loaded.appliedCommands().count()).isZero();
    assertThat(loaded.reportSequence()).isZero();
    assertThat(loaded.topics()).containsKey(topic);
    assertThat(loaded.clientKey().sameKeyAs(saved.clientKey())).isTrue();
  }

  @Test
  void aVersionFromTheFuture_isRefusedNamingTheVersions() {
    byte[] encoded = StateCodec.encode(device());
    encoded[4] = 3;

    assertThatThrownBy(() -> StateCodec.decode(withChecksum(encoded), "the file", siv))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("the file")
        .hasMessageContaining("format version 3; this e4j reads versions 1 to 2");
  }

  /**
   * The same state in format 1: no fingerprint flag, count, fingerprints nor report sequence after
   * the newest command time.
   */
  private static byte[] asVersion1(byte[] version2) {
    ByteBuffer in = ByteBuffer.wrap(version2).order(ByteOrder.LITTLE_ENDIAN);
    int topicLength = Short.toUnsignedInt(in.getShort(4 + 2 + 16));
    int afterTime = 4 + 2 + 16 + 2 + topicLength + 8;
    int count = in.getInt(afterTime + 1);
    int v2Fields = 1 + 4 + 16 * count + 8;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(version2, 0, afterTime);
    out.write(version2, afterTime + v2Fields, version2.length - 4 - afterTime - v2Fields);
    byte[] body = out.toByteArray();
    body[4] = 1;
    return withChecksum(ByteBuffer.allocate(body.length + 4).put(body).array());
  }

  /** Rewrites the trailing CRC32C over everything before it. */
  private static byte[] withChecksum(byte[] state) {
    CRC32C crc = new CRC32C();
    crc.update(state, 0, state.length - 4);
    ByteBuffer.wrap(state, state.length - 4, 4)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putInt((int) crc.getValue());
    return state;
  }
}
