package io.e4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.e4j.cli.C2Fixture.Run;
import io.e4j.server.CryptoMode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public-key mode commands, pubkeys and c2key, against a real C2 in that mode. */
class PublicKeyModeIT {
  @TempDir Path directory;

  private C2Fixture c2;

  @BeforeEach
  void start() throws Exception {
    c2 = C2Fixture.start(directory, CryptoMode.PUBLIC_KEY);
    assertThat(c2.loginAsAdmin().exitCode()).isZero();
  }

  @AfterEach
  void stop() {
    c2.close();
  }

  private Run ok(String... args) {
    Run run = c2.e4(args);
    assertThat(run.exitCode()).as(String.join(" ", args) + "\n" + run).isZero();
    return run;
  }

  @Test
  void publicKeysAreSentRemovedAndReset_andC2sKeyRotatesOnlyWhenConfirmed() {
    for (String name : new String[] {"pk-0", "pk-1"}) {
      Path key = directory.resolve(name + ".ed25519");
      ok("keygen", "--type", "ed25519", "--out", key.toString());
      ok("devices", "create", name, "--public-key-file", key + ".pub");
    }
    assertThat(ok("devices", "list").out()).startsWith("NAME ").contains("PUBLIC KEY");

    ok("pubkeys", "send", "pk-0", "pk-1");
    assertThat(ok("pubkeys", "list", "pk-1").out()).contains("pk-0").doesNotContain("pk-1");
    ok("pubkeys", "remove", "pk-0", "pk-1");
    assertThat(ok("pubkeys", "list", "pk-1").out().lines()).hasSize(1);
    ok("pubkeys", "send", "pk-0", "pk-1");
    ok("pubkeys", "reset", "pk-1");
    assertThat(ok("pubkeys", "list", "pk-1").out().lines()).hasSize(1);

    String before = ok("c2key", "show").out().strip();
    assertThat(before).matches("[0-9a-f]{64}");
    Run unconfirmed = c2.e4("c2key", "rotate");
    assertThat(unconfirmed.exitCode()).isEqualTo(1);
    assertThat(ok("c2key", "show").out().strip()).isEqualTo(before);
    String rotated = ok("c2key", "rotate", "--yes").out();
    String after = ok("c2key", "show").out().strip();
    assertThat(after).isNotEqualTo(before);
    assertThat(rotated).contains("new C2 public key " + after);
    assertThat(ok("events").out()).contains("C2_KEY_CHANGED").contains("PUBLIC_KEYS_RESET");
  }
}
