package io.e4j.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfilesTest {
  private static final String PIN = "ab".repeat(32);

  @TempDir Path directory;

  private Map<String, String> environment() {
    return Map.of("E4_CONFIG_DIR", directory.resolve("e4").toString());
  }

  @Test
  void savedProfiles_readBack_ownerOnly_othersKept() throws IOException {
    Profiles profiles = Profiles.of(environment());
    assertThat(profiles.all()).isEmpty();
    Profile lab = new Profile("https://127.0.0.1:8443", "/keys/admin.token", null, PIN);
    Profile prod = new Profile("https://c2.example", "/keys/ops.token", "/etc/ca.pem", null);
    profiles.save("default", lab);
    profiles.save("prod", prod);
    profiles.save("default", lab);

    assertThat(Profiles.of(environment()).all()).containsOnlyKeys("default", "prod");
    assertThat(profiles.find("prod")).contains(prod);
    assertThat(profiles.find("nope")).isEmpty();
    Path file = directory.resolve("e4/profiles.json");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
        .isEqualTo("rwx------");
    assertThat(Files.readString(file)).doesNotContain("caFile\" : null");
    try (var leftovers = Files.list(file.getParent())) {
      assertThat(leftovers).containsExactly(file);
    }
  }

  @Test
  void aDamagedFile_isReportedAndNeverOverwritten() throws IOException {
    Path file = directory.resolve("e4/profiles.json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "{not json");
    Profiles profiles = Profiles.of(environment());
    assertThatThrownBy(() -> profiles.save("default", new Profile("https://h", "/t", null, null)))
        .isInstanceOf(CommandFailure.class)
        .hasMessageContaining("is not a profile file");
    assertThat(Files.readString(file)).isEqualTo("{not json");
  }

  @Test
  void directory_fromE4ConfigDir_elseXdg_elseHome() {
    assertThat(Profiles.directory(Map.of("E4_CONFIG_DIR", "/a", "XDG_CONFIG_HOME", "/b")))
        .isEqualTo(Path.of("/a"));
    assertThat(Profiles.directory(Map.of("XDG_CONFIG_HOME", "/b", "HOME", "/h")))
        .isEqualTo(Path.of("/b/e4"));
    assertThat(Profiles.directory(Map.of("HOME", "/h"))).isEqualTo(Path.of("/h/.config/e4"));
  }

  @Test
  void target_fromTheProfile_withEnvironmentOverrides() {
    Profiles.of(environment())
        .save("default", new Profile("https://127.0.0.1:8443", "/keys/admin.token", null, PIN));

    Target plain = Target.resolve(null, environment());
    assertThat(plain.endpoint()).isEqualTo(URI.create("https://127.0.0.1:8443"));
    assertThat(plain.trust()).isEqualTo(new ServerTrust.Pinned(new Fingerprint(PIN)));
    assertThat(plain.token()).isEqualTo(new TokenSource.TokenFile(Path.of("/keys/admin.token")));

    Map<String, String> overridden = new java.util.HashMap<>(environment());
    overridden.put("E4_TOKEN", "secret-token-value");
    overridden.put("E4_ENDPOINT", "https://other.example:9443");
    Target other = Target.resolve(null, overridden);
    assertThat(other.endpoint()).isEqualTo(URI.create("https://other.example:9443"));
    assertThat(other.trust())
        .as("a pin is for its own server only")
        .isEqualTo(new ServerTrust.SystemCertificates());
    assertThat(other.token().read()).isEqualTo("secret-token-value");
    assertThat(other.toString()).doesNotContain("secret-token-value");

    overridden.put("E4_FINGERPRINT", PIN.toUpperCase().replaceAll("(..)(?!$)", "$1:"));
    assertThat(Target.resolve(null, overridden).trust())
        .isEqualTo(new ServerTrust.Pinned(new Fingerprint(PIN)));
  }

  @Test
  void target_missingProfile_saysHowToLogIn() {
    assertThatThrownBy(() -> Target.resolve("prod", environment()))
        .isInstanceOf(CommandFailure.class)
        .hasMessageContaining("no profile 'prod'")
        .hasMessageContaining("e4 login --endpoint URL --token-file FILE --name prod")
        .extracting(e -> ((CommandFailure) e).exitCode())
        .isEqualTo(ExitCodes.NOT_ALLOWED);
    Target scripted =
        Target.resolve(
            null,
            Map.of(
                "E4_CONFIG_DIR", directory.toString(),
                "E4_ENDPOINT", "https://c2.example",
                "E4_TOKEN", "t"));
    assertThat(scripted.endpoint()).isEqualTo(URI.create("https://c2.example"));
  }

  @Test
  void endpoints_areHttpsOrHttpWithoutPath() {
    assertThat(Endpoints.parse(" HTTPS://C2.example:8443/ "))
        .isEqualTo(URI.create("https://C2.example:8443"));
    assertThatThrownBy(() -> Endpoints.parse("c2.example:8443"))
        .hasMessageContaining("not a C2 endpoint");
    assertThatThrownBy(() -> Endpoints.parse("https://c2.example/api"))
        .hasMessageContaining("no path");
  }
}
