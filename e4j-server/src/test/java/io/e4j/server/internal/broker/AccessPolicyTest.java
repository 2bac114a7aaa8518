package io.e4j.server.internal.broker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.e4j.server.C2Config.EmbeddedMqtt.Access;
import io.e4j.server.internal.broker.AccessPolicy.Accepted;
import io.e4j.server.internal.broker.AccessPolicy.Client;
import io.e4j.server.internal.broker.AccessPolicy.Refused;
import io.e4j.server.internal.broker.AccessPolicy.Role;
import io.e4j.server.internal.broker.AccessPolicy.Verdict;
import io.e4j.server.internal.broker.InMemoryDirectory.Device;
import org.junit.jupiter.api.Test;

/** The broker's access rules, decided without a broker. */
class AccessPolicyTest {
  private static final String C2 = "e4j-c2";
  private static final String SECRET = "0123456789abcdef";

  private final InMemoryDirectory directory = new InMemoryDirectory();
  private final Device alice = directory.add("alice");
  private final Device bob = directory.add("bob");

  private AccessPolicy policy(Access mode) {
    return new AccessPolicy(mode, C2, SECRET.getBytes(UTF_8), directory);
  }

  private static Client accepted(AccessPolicy.Login login) {
    assertThat(login).isInstanceOf(Accepted.class);
    return ((Accepted) login).client();
  }

  @Test
  void c2sClientId_withTheSecret_isC2_inBothModes() {
    for (Access mode : Access.values()) {
      Client c2 = accepted(policy(mode).login(1, C2, C2, SECRET.getBytes(UTF_8)));
      assertThat(c2.role).isEqualTo(Role.C2);
    }
  }

  @Test
  void c2sClientId_withoutTheSecret_isRefused_notForBadCredentials_inBothModes() {
    for (Access mode : Access.values()) {
      AccessPolicy policy = policy(mode);
      for (byte[] password : new byte[][] {null, "wrong".getBytes(UTF_8), new byte[0]}) {
        assertThat(policy.login(1, C2, C2, password))
            .isEqualTo(new Refused(false, "client ID e4j-c2 is reserved for C2"));
      }
      // The secret with another user name is not C2 either.
      assertThat(policy.login(1, C2, "someone", SECRET.getBytes(UTF_8)))
          .isInstanceOf(Refused.class);
      // Nor is a device's own login under C2's client ID.
      assertThat(policy.login(1, C2, "alice", alice.credential())).isInstanceOf(Refused.class);
    }
  }

  @Test
  void open_letsAnyoneIn_withoutAskingTheDirectory() {
    AccessPolicy open = policy(Access.OPEN);
    assertThat(open.loginAsksDirectory("sensor-1")).isFalse();
    assertThat(accepted(open.login(1, "sensor-1", null, null)).role).isEqualTo(Role.ANYONE);
    // Credentials are not looked at in open mode: nobody is a device there.
    assertThat(accepted(open.login(2, "sensor-2", "alice", alice.credential())).role)
        .isEqualTo(Role.ANYONE);
  }

  @Test
  void devices_refusesMissingCredentials_asNotAuthorized_andWrongOnes_asBadCredentials() {
    AccessPolicy devices = policy(Access.DEVICES);
    assertThat(devices.loginAsksDirectory("sensor-1")).isTrue();
    assertThat(devices.loginAsksDirectory(C2)).isFalse();
    assertThat(devices.login(1, "x", null, null)).isInstanceOf(Refused.class);
    assertThat(((Refused) devices.login(1, "x", null, null)).badCredentials()).isFalse();
    assertThat(((Refused) devices.login(1, "x", "", null)).badCredentials()).isFalse();
    Refused unknown = (Refused) devices.login(1, "x", "carol", alice.credential());
    Refused wrong = (Refused) devices.login(1, "x", "alice", bob.credential());
    Refused none = (Refused) devices.login(1, "x", "alice", null);
    assertThat(unknown.badCredentials()).isTrue();
    // Unknown device and wrong credential read the same: no probing for device names.
    assertThat(wrong).isEqualTo(unknown);
    assertThat(none).isEqualTo(unknown);
  }

  @Test
  void devices_acceptsTheNameOrTheHexId_withTheCredential() {
    AccessPolicy devices = policy(Access.DEVICES);
    Client byName = accepted(devices.login(1, "a-1", "alice", alice.credential()));
    Client byHex = accepted(devices.login(2, "a-2", alice.hex(), alice.credential()));
    assertThat(byName.role).isEqualTo(Role.DEVICE);
    assertThat(byName.deviceId()).isEqualTo(alice.id());
    assertThat(byHex.deviceHex).isEqualTo(alice.hex());
  }

  @Test
  void controlTopics_takePublishesFromC2Only_neverRetained_inBothModes() {
    for (Access mode : Access.values()) {
      AccessPolicy policy = policy(mode);
      Client c2 = accepted(policy.login(1, C2, C2, SECRET.getBytes(UTF_8)));
      assertThat(policy.publish(c2, alice.controlTopic(), false)).isEqualTo(Verdict.ALLOWED);
      assertThat(policy.publish(c2, alice.controlTopic(), true)).isEqualTo(Verdict.NOT_AUTHORIZED);
      Client other =
          mode == Access.OPEN
              ? accepted(policy.login(2, "x", null, null))
              : accepted(policy.login(2, "x", "alice", alice.credential()));
      for (String topic : new String[] {alice.controlTopic(), bob.controlTopic(), "e4/anything"}) {
        assertThat(policy.publish(other, topic, false)).isEqualTo(Verdict.NOT_AUTHORIZED);
        assertThat(policy.publish(other, topic, true)).isEqualTo(Verdict.NOT_AUTHORIZED);
      }
    }
  }

  @Test
  void open_letsAnyoneSubscribeToAnything_andPublishOutsideControlTopics() {
    AccessPolicy open = policy(Access.OPEN);
    Client anyone = accepted(open.login(1, "x", null, null));
    for (String filter : new String[] {"#", "e4/#", alice.controlTopic(), "$share/g/a/b", "a/+"}) {
      assertThat(open.subscribe(anyone, filter)).isEqualTo(Verdict.ALLOWED);
    }
    assertThat(open.publish(anyone, "sensors/t", true)).isEqualTo(Verdict.ALLOWED);
    assertThat(open.publish(anyone, "e4j/reports/" + bob.hex(), false)).isEqualTo(Verdict.ALLOWED);
    assertThat(open.publish(anyone, "e4", false)).isEqualTo(Verdict.ALLOWED);
  }

  @Test
  void aDevice_subscribesToItsControlTopicAndLinkedTopics_exactNamesOnly() {
    AccessPolicy devices = policy(Access.DEVICES);
    directory.link(alice, "sensors/t");
    Client a = accepted(devices.login(1, "a", "alice", alice.credential()));
    assertThat(devices.subscribe(a, alice.controlTopic())).isEqualTo(Verdict.ALLOWED);
    assertThat(devices.subscribe(a, bob.controlTopic())).isEqualTo(Verdict.NOT_AUTHORIZED);
    assertThat(devices.subscribe(a, "sensors/t")).isEqualTo(Verdict.ALLOWED);
    assertThat(devices.subscribe(a, "sensors/u")).isEqualTo(Verdict.NOT_AUTHORIZED);
    assertThat(devices.subscribe(a, "sensors/+")).isEqualTo(Verdict.WILDCARDS_REFUSED);
    assertThat(devices.subscribe(a, "#")).isEqualTo(Verdict.WILDCARDS_REFUSED);
    assertThat(devices.subscribe(a, "e4/+")).isEqualTo(Verdict.WILDCARDS_REFUSED);
    assertThat(devices.subscribe(a, "$share/g/sensors/t")).isEqualTo(Verdict.SHARED_REFUSED);
    assertThat(devices.subscribe(a, "e4j/reports/" + alice.hex()))
        .isEqualTo(Verdict.NOT_AUTHORIZED);
    // The control topic is exact: upper-case hex is another topic.
    assertThat(devices.subscribe(a, alice.controlTopic().toUpperCase()))
        .isEqualTo(Verdict.NOT_AUTHORIZED);
  }

  @Test
  void aDevice_publishesOnItsReportsTopicAndLinkedTopics() {
    AccessPolicy devices = policy(Access.DEVICES);
    directory.link(alice, "sensors/t");
    Client a = accepted(devices.login(1, "a", "alice", alice.credential()));
    assertThat(devices.publish(a, "e4j/reports/" + alice.hex(), false)).isEqualTo(Verdict.ALLOWED);
    assertThat(devices.publish(a, "e4j/reports/" + bob.hex(), false))
        .isEqualTo(Verdict.NOT_AUTHORIZED);
    assertThat(devices.publish(a, "sensors/t", false)).isEqualTo(Verdict.ALLOWED);
    assertThat(devices.publish(a, "sensors/u", false)).isEqualTo(Verdict.NOT_AUTHORIZED);
  }

  @Test
  void linkDecisions_areRemembered_perConnection_soTheDirectoryIsAskedOnce() {
    AccessPolicy devices = policy(Access.DEVICES);
    directory.link(alice, "sensors/t");
    Client a = accepted(devices.login(1, "a", "alice", alice.credential()));
    assertThat(devices.publishIfKnown(a, "sensors/t", false)).isNull();
    for (int i = 0; i < 100; i++) {
      assertThat(devices.publish(a, "sensors/t", false)).isEqualTo(Verdict.ALLOWED);
    }
    assertThat(directory.linkQuestions).hasValue(1);
    assertThat(devices.publishIfKnown(a, "sensors/t", false)).isEqualTo(Verdict.ALLOWED);
    assertThat(devices.subscribeIfKnown(a, "sensors/t")).isEqualTo(Verdict.ALLOWED);
    // A new connection starts afresh.
    Client again = accepted(devices.login(2, "a", "alice", alice.credential()));
    assertThat(devices.publishIfKnown(again, "sensors/t", false)).isNull();
  }

  @Test
  void c2sChanges_overrideWhatAConnectionRemembers() {
    AccessPolicy devices = policy(Access.DEVICES);
    directory.link(alice, "sensors/t");
    Client a = accepted(devices.login(1, "a", "alice", alice.credential()));
    assertThat(devices.publish(a, "sensors/t", false)).isEqualTo(Verdict.ALLOWED);
    assertThat(devices.publish(a, "sensors/u", false)).isEqualTo(Verdict.NOT_AUTHORIZED);

    a.linkChanged("sensors/t", false);
    a.linkChanged("sensors/u", true);

    assertThat(devices.publishIfKnown(a, "sensors/t", false)).isEqualTo(Verdict.NOT_AUTHORIZED);
    assertThat(devices.subscribeIfKnown(a, "sensors/u")).isEqualTo(Verdict.ALLOWED);
  }

  @Test
  void aChangeReportedWhileTheDirectoryIsAsked_wins() {
    // The directory answers "linked" (read before the unlink committed); C2 reports the unlink
    // before the answer is remembered: the unlink stands.
    Client[] client = new Client[1];
    DeviceDirectory slow =
        new DeviceDirectory() {
          @Override
          public java.util.Optional<byte[]> deviceId(String username) {
            return directory.deviceId(username);
          }

          @Override
          public boolean credentialMatches(byte[] deviceId, byte[] password) {
            return directory.credentialMatches(deviceId, password);
          }

          @Override
          public boolean isLinked(byte[] deviceId, String topic) {
            client[0].linkChanged(topic, false);
            return true;
          }
        };
    AccessPolicy devices = new AccessPolicy(Access.DEVICES, C2, SECRET.getBytes(UTF_8), slow);
    client[0] = accepted(devices.login(1, "a", "alice", alice.credential()));
    assertThat(devices.publish(client[0], "sensors/t", false)).isEqualTo(Verdict.NOT_AUTHORIZED);
    assertThat(devices.publishIfKnown(client[0], "sensors/t", false))
        .isEqualTo(Verdict.NOT_AUTHORIZED);
  }

  @Test
  void aConnectionRemembersABoundedNumberOfTopics() {
    AccessPolicy devices = policy(Access.DEVICES);
    Client a = accepted(devices.login(1, "a", "alice", alice.credential()));
    for (int i = 0; i < AccessPolicy.REMEMBERED_TOPICS + 10; i++) {
      devices.subscribe(a, "t/" + i);
    }
    assertThat(devices.subscribeIfKnown(a, "t/0")).isEqualTo(Verdict.NOT_AUTHORIZED);
    assertThat(devices.subscribeIfKnown(a, "t/" + (AccessPolicy.REMEMBERED_TOPICS + 5))).isNull();
  }

  @Test
  void controlTopicDevice_readsExactLowerCaseControlTopicsOnly() {
    assertThat(Topics.controlTopicDevice(alice.controlTopic())).hasValue(alice.id());
    assertThat(Topics.controlTopicDevice(alice.controlTopic().toUpperCase())).isEmpty();
    assertThat(Topics.controlTopicDevice("e4/" + alice.hex() + "/x")).isEmpty();
    assertThat(Topics.controlTopicDevice("e4/" + alice.hex().substring(1))).isEmpty();
    assertThat(Topics.controlTopicDevice("e4/+")).isEmpty();
    assertThat(Topics.controlTopicDevice("x4/" + alice.hex())).isEmpty();
  }
}
