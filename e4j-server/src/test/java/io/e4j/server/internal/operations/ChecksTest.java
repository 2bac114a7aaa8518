package io.e4j.server.internal.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.e4j.core.Keys;
import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.CryptoMode;
import io.e4j.server.DeviceCredential;
import io.e4j.server.DeviceRef;
import io.e4j.server.NewDevice;
import io.e4j.server.internal.change.Change;
import java.util.Collections;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * The checks of each aggregate's changes, which refuse a change before any transaction: they run
 * here with no store at all (a check that reached one would fail on its null).
 */
class ChecksTest {
  private static final DeviceRef METER = DeviceRef.name("meter-1");
  private static final String TOPIC = "sensors/temperature";
  private static final String TOO_LONG = "t".repeat(513);

  private final DeviceChanges skDevices =
      new DeviceChanges(null, null, null, null, null, CryptoMode.SYMMETRIC_KEY);
  private final DeviceChanges pkDevices =
      new DeviceChanges(null, null, null, null, null, CryptoMode.PUBLIC_KEY);
  private final TopicChanges topics = new TopicChanges(null);
  private final LinkChanges links = new LinkChanges(null, null, null);

  private static void refused(Reason reason, ThrowingCallable check) {
    assertThatThrownBy(check)
        .isInstanceOf(C2Exception.class)
        .extracting(e -> ((C2Exception) e).reason())
        .isEqualTo(reason);
  }

  private static void passes(Change<?> change) {
    assertThatCode(() -> change.check().run()).doesNotThrowAnyException();
    change.release().run();
  }

  @Test
  void topicChanges_refuseAnEmptyOrTooLongTopic() {
    for (String topic : new String[] {"", TOO_LONG}) {
      refused(Reason.INVALID_ARGUMENT, () -> topics.create(topic).check().run());
      refused(Reason.INVALID_ARGUMENT, () -> topics.remove(topic).check().run());
      refused(Reason.INVALID_ARGUMENT, () -> topics.rotate(topic).check().run());
    }
    passes(topics.create(TOPIC));
    passes(topics.rotate(TOPIC));
  }

  @Test
  void topicChanges_thatReachDevices_runUnderTheWriterLock() {
    assertThat(topics.create(TOPIC).sendsCommands()).isFalse();
    assertThat(topics.remove(TOPIC).sendsCommands()).isTrue();
    assertThat(topics.rotate(TOPIC).sendsCommands()).isTrue();
    assertThat(topics.rotate(TOPIC).action()).isEqualTo("RotateTopic");
    assertThat(topics.rotate(TOPIC).target()).isEqualTo(TOPIC);
  }

  @Test
  void linkChanges_refuseABadTopicAndBatchesOfNoneOrOverAThousand() {
    refused(Reason.INVALID_ARGUMENT, () -> links.link(METER, "").check().run());
    refused(Reason.INVALID_ARGUMENT, () -> links.unlink(METER, TOO_LONG).check().run());
    refused(Reason.INVALID_ARGUMENT, () -> links.linkAll(List.of(), TOPIC).check().run());
    refused(
        Reason.INVALID_ARGUMENT,
        () -> links.linkAll(Collections.nCopies(1_001, METER), TOPIC).check().run());
    passes(links.linkAll(Collections.nCopies(1_000, METER), TOPIC));
    assertThat(links.link(METER, TOPIC).target()).isEqualTo("meter-1 -> " + TOPIC);
    assertThat(links.linkAll(List.of(METER), TOPIC).sendsCommands()).isTrue();
  }

  @Test
  void deviceCreation_refusesACredentialOfTheOtherMode() {
    NewDevice withPublicKey =
        NewDevice.of(METER, new DeviceCredential.PublicKey(Keys.ed25519Public(Keys.newEd25519())));
    NewDevice withKey = NewDevice.of(METER, new DeviceCredential.SymmetricKey(Keys.randomKey()));
    refused(Reason.WRONG_MODE, () -> skDevices.create(withPublicKey).check().run());
    refused(Reason.WRONG_MODE, () -> pkDevices.create(withKey).check().run());
    passes(skDevices.create(withKey));
    passes(pkDevices.create(withPublicKey));
  }

  @Test
  void batchCreation_refusesItemsOnTheirOwn_andOnlyABadSizeAsAWhole() {
    NewDevice wrongMode =
        NewDevice.of(METER, new DeviceCredential.PublicKey(Keys.ed25519Public(Keys.newEd25519())));
    NewDevice generated = NewDevice.of(DeviceRef.name("meter-2"), new DeviceCredential.Generate());
    passes(skDevices.createAll(List.of(wrongMode, generated)));
    refused(Reason.INVALID_ARGUMENT, () -> skDevices.createAll(List.of()).check().run());
    refused(
        Reason.INVALID_ARGUMENT,
        () -> skDevices.createAll(Collections.nCopies(1_001, generated)).check().run());
    assertThat(skDevices.createAll(List.of(generated)).runsAgainOnConflict()).isTrue();
  }

  @Test
  void replacingADevice_runsUnderTheWriterLock_creatingOneDoesNot() {
    NewDevice device = NewDevice.of(METER, new DeviceCredential.Generate());
    assertThat(skDevices.create(device).sendsCommands()).isFalse();
    assertThat(skDevices.create(device.replacing()).sendsCommands()).isTrue();
    assertThat(skDevices.createAll(List.of(device, device.replacing())).sendsCommands()).isTrue();
    assertThat(skDevices.remove(METER).sendsCommands()).isTrue();
    assertThat(skDevices.newKey(METER).sendsCommands()).isTrue();
  }

  @Test
  void publicKeyChanges_belongToPublicKeyMode() {
    PublicKeyChanges sk = new PublicKeyChanges(null, null, CryptoMode.SYMMETRIC_KEY);
    PublicKeyChanges pk = new PublicKeyChanges(null, null, CryptoMode.PUBLIC_KEY);
    DeviceRef holder = DeviceRef.name("gateway");
    refused(Reason.WRONG_MODE, () -> sk.send(METER, holder).check().run());
    refused(Reason.WRONG_MODE, () -> sk.remove(METER, holder).check().run());
    refused(Reason.WRONG_MODE, () -> sk.reset(holder).check().run());
    passes(pk.send(METER, holder));
    passes(pk.reset(holder));
  }

  @Test
  void aNewC2Key_belongsToPublicKeyMode_andErasesItsPrivateKeyWhenOver() {
    refused(
        Reason.WRONG_MODE,
        () -> new C2Keys(null, null, CryptoMode.SYMMETRIC_KEY).newKeyPair().check().run());
    passes(new C2Keys(null, null, CryptoMode.PUBLIC_KEY).newKeyPair());
  }

  @Test
  void credentials_deriveTheKeyOfTheirMode_andEraseIt() {
    Credential password =
        Credential.of(
            new DeviceCredential.Password("a long device password"), CryptoMode.SYMMETRIC_KEY);
    assertThat(password.deviceKey())
        .hasSize(32)
        .isEqualTo(Keys.symmetricKeyFromPassword("a long device password"));
    assertThat(password.generated()).isNull();
    password.erase();
    assertThat(password.deviceKey()).containsOnly(0);

    Credential generated = Credential.of(new DeviceCredential.Generate(), CryptoMode.SYMMETRIC_KEY);
    assertThat(generated.generated()).isEqualTo(generated.deviceKey());
    generated.erase();
    assertThat(generated.generated()).isNotEqualTo(new byte[32]);

    Credential signing = Credential.of(new DeviceCredential.Generate(), CryptoMode.PUBLIC_KEY);
    assertThat(signing.publicKey()).isEqualTo(Keys.ed25519Public(signing.generated()));
    assertThat(signing.deviceKey()).isNull();
    assertThat(signing.toString()).doesNotContain("[B");
  }
}
