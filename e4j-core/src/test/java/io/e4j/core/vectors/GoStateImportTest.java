package io.e4j.core.vectors;

import static io.e4j.core.vectors.ReferenceInputs.PK_CLIENT_A;
import static io.e4j.core.vectors.ReferenceInputs.PK_CLIENT_B;
import static io.e4j.core.vectors.ReferenceInputs.SYMMETRIC_CLIENT;
import static io.e4j.core.vectors.ReferenceInputs.TEMPERATURE;
import static io.e4j.core.vectors.ReferenceInputs.VALVE;
import static io.e4j.core.vectors.VectorFiles.REFERENCE_NOW;
import static io.e4j.core.vectors.VectorFiles.T0;
import static io.e4j.core.vectors.VectorFiles.clockAt;
import static io.e4j.core.vectors.VectorFiles.hex;
import static io.e4j.core.vectors.VectorFiles.reasonOf;
import static io.e4j.core.vectors.VectorFiles.unhex;
import static io.e4j.core.vectors.VectorFiles.unprotected;
import static io.e4j.core.vectors.VectorFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.e4j.core.ClientStore;
import io.e4j.core.E4Client;
import io.e4j.core.E4Client.Mode;
import io.e4j.core.E4Exception.Reason;
import io.e4j.core.Keys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Go client's state files state-symmetric-client.json and state-pubkey-client.json, imported
 * from disk with {@link E4Client#importGoState}: the device keeps its identity and every key.
 */
class GoStateImportTest {
  private static final Clock NOW = clockAt(REFERENCE_NOW);
  private static final JsonNode STATES = VectorFiles.e4go().get("h_client_state_json");
  private static final byte[] PAYLOAD = utf8("after import");

  @TempDir Path directory;

  @Test
  void filesAreTheGoClientsStoreBytes() throws IOException {
    assertThat(Files.readString(VectorFiles.path("e4go/state-symmetric-client.json")))
        .isEqualTo(STATES.get("symmetric_client").get("json_final").asText());
    assertThat(Files.readString(VectorFiles.path("e4go/state-pubkey-client.json")))
        .isEqualTo(STATES.get("pubkey_client").get("json_final").asText());
  }

  @Test
  void symmetricClient_keepsIdentityAndKeys() {
    E4Client client =
        E4Client.importGoState(
            VectorFiles.path("e4go/state-symmetric-client.json"), ClientStore.memory(), NOW);

    assertThat(client.id()).isEqualTo(Keys.idFromName(SYMMETRIC_CLIENT));
    assertThat(client.controlTopic()).isEqualTo("e4/" + hex(Keys.idFromName(SYMMETRIC_CLIENT)));
    assertThat(client.mode()).isEqualTo(Mode.SYMMETRIC);
    assertThat(client.hasTopicKey(TEMPERATURE)).isTrue();
    assertThat(client.hasTopicKey(VALVE)).isTrue();
    int messages = 0;
    for (JsonNode vector : VectorFiles.e4go().get("b_symmetric_messages")) {
      assertThat(vector.get("topic").asText()).isEqualTo(TEMPERATURE);
      String description = vector.get("description").asText();
      assertThat(unprotected(client, TEMPERATURE, unhex(vector.get("protected")), description))
          .as(description)
          .contains(unhex(vector.get("plaintext")));
      messages++;
    }
    StateProbe.assertState(
        client,
        NOW,
        StateView.fromJson(STATES.get("symmetric_client").get("state_final")),
        "state-symmetric-client.json");
    System.out.println(
        "e4go state-symmetric-client.json: imported, " + messages + " section b messages read");
  }

  @Test
  void publicKeyClient_keepsIdentityKeysAndPeers() {
    E4Client client =
        E4Client.importGoState(
            VectorFiles.path("e4go/state-pubkey-client.json"), ClientStore.memory(), NOW);

    assertThat(client.id()).isEqualTo(Keys.idFromName(PK_CLIENT_A));
    assertThat(client.controlTopic()).isEqualTo("e4/" + hex(Keys.idFromName(PK_CLIENT_A)));
    assertThat(client.mode()).isEqualTo(Mode.PUBLIC_KEY);
    assertThat(client.publicKey())
        .isEqualTo(Keys.ed25519Public(ReferenceInputs.ed25519Private(PK_CLIENT_A)));
    assertThat(client.publicKeyIds()).singleElement().isEqualTo(Keys.idFromName(PK_CLIENT_B));
    E4Client peer =
        E4Client.builder()
            .name(PK_CLIENT_B)
            .signingKey(ReferenceInputs.ed25519Private(PK_CLIENT_B))
            .c2PublicKey(ReferenceInputs.c2Public(0))
            .clock(clockAt(T0))
            .build();
    peer.setTopicKey(TEMPERATURE, ReferenceInputs.topicKey(TEMPERATURE));
    byte[] message = peer.protect(TEMPERATURE, PAYLOAD);
    assertThat(unprotected(client, TEMPERATURE, message, "from pk-client-B")).contains(PAYLOAD);
    StateProbe.assertState(
        client,
        NOW,
        StateView.fromJson(STATES.get("pubkey_client").get("state_final")),
        "state-pubkey-client.json");
    System.out.println("e4go state-pubkey-client.json: imported, keys and peer checked");
  }

  /** The import is saved in e4j's own format: loading it back gives the same device. */
  @Test
  void importedState_loadsBackFromItsStore() {
    for (String name : List.of("symmetric", "pubkey")) {
      ClientStore store = ClientStore.file(directory.resolve(name + ".e4"));
      E4Client.importGoState(VectorFiles.path("e4go/state-" + name + "-client.json"), store, NOW);

      StateProbe.assertState(
          E4Client.load(store, NOW),
          NOW,
          StateView.fromJson(STATES.get(name + "_client").get("state_final")),
          name + " client, loaded back");
    }
  }

  @Test
  void importIntoAStoreHoldingAClient_isRefused() {
    ClientStore store = ClientStore.memory();
    Path file = VectorFiles.path("e4go/state-symmetric-client.json");
    E4Client.importGoState(file, store, NOW);

    assertThat(reasonOf(() -> E4Client.importGoState(file, store, NOW))).isEqualTo(Reason.STORAGE);
  }
}
