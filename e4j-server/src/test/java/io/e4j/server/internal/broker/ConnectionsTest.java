package io.e4j.server.internal.broker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.e4j.server.C2Config.EmbeddedMqtt.Access;
import io.e4j.server.internal.broker.AccessPolicy.Accepted;
import io.e4j.server.internal.broker.AccessPolicy.Client;
import io.e4j.server.internal.broker.InMemoryDirectory.Device;
import org.junit.jupiter.api.Test;

/** Which clients a change for every device reaches: devices' clients and sessions, never C2. */
class ConnectionsTest {
  private final InMemoryDirectory directory = new InMemoryDirectory();
  private final Device alice = directory.add("alice");
  private final Device bob = directory.add("bob");
  private final AccessPolicy policy =
      new AccessPolicy(Access.DEVICES, "e4j-c2", "secret".getBytes(UTF_8), directory);
  private final Connections connections = new Connections();

  private Client login(long number, String clientId, String user, byte[] password) {
    return ((Accepted) policy.login(number, clientId, user, password)).client();
  }

  @Test
  void everyDevicesClients_withOrWithoutALastingSession_butNotC2() {
    Client c2 = login(1, "e4j-c2", "e4j-c2", "secret".getBytes(UTF_8));
    Client a1 = login(2, "alice-1", "alice", alice.credential());
    Client a2 = login(3, "alice-2", "alice", alice.credential());
    Client b = login(4, "bob", "bob", bob.credential());
    connections.add(c2, false);
    connections.add(a1, true);
    connections.add(a2, false);
    connections.add(b, true);

    assertThat(connections.connectedDevices()).containsExactlyInAnyOrder(a1, a2, b);
    assertThat(connections.deviceClientIds())
        .containsExactlyInAnyOrder("alice-1", "alice-2", "bob");
  }
}
