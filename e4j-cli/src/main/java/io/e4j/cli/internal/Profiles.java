package io.e4j.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The operator's profiles, in {@code profiles.json} under {@code $E4_CONFIG_DIR}, else {@code
 * $XDG_CONFIG_HOME/e4}, else {@code ~/.config/e4}; the directory and the file are its owner's only.
 */
public final class Profiles {
  public static final String FILE_NAME = "profiles.json";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path directory;

  private Profiles(Path directory) {
    this.directory = directory;
  }

  public static Profiles in(Path directory) {
    return new Profiles(directory);
  }

  /** The profiles of the environment's user. */
  public static Profiles of(Map<String, String> environment) {
    return in(directory(environment));
  }

  static Path directory(Map<String, String> environment) {
    String explicit = environment.get("E4_CONFIG_DIR");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    String xdg = environment.get("XDG_CONFIG_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "e4");
    }
    String home = environment.getOrDefault("HOME", System.getProperty("user.home"));
    return Path.of(home, ".config", "e4");
  }

  public Path file() {
    return directory.resolve(FILE_NAME);
  }

  public Optional<Profile> find(String name) {
    return Optional.ofNullable(all().get(name));
  }

  /** Every profile by name; none when the file does not exist yet. */
  public Map<String, Profile> all() {
    try {
      String text = Files.readString(file(), StandardCharsets.UTF_8);
      Map<String, Profile> profiles = new TreeMap<>();
      profiles.putAll(JSON.readValue(text, Stored.class).profiles());
      return profiles;
    } catch (NoSuchFileException e) {
      return new TreeMap<>();
    } catch (JsonProcessingException e) {
      throw new CommandFailure(
          ExitCodes.FAILED,
          file() + " is not a profile file (" + e.getOriginalMessage() + "); fix or remove it");
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.FAILED, "cannot read " + file() + ": " + e.getMessage());
    }
  }

  /** Adds or replaces one profile, leaving the others as they were. */
  public void save(String name, Profile profile) {
    Map<String, Profile> profiles = all();
    profiles.put(name, profile);
    try {
      OwnerOnlyFiles.createDirectories(directory);
      byte[] text = JSON.writeValueAsBytes(new Stored(profiles));
      Path temporary =
          Files.createTempFile(directory, FILE_NAME, ".tmp", OwnerOnlyFiles.attributes());
      try {
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
          channel.write(java.nio.ByteBuffer.wrap(text));
          channel.force(true);
        }
        move(temporary, file());
      } finally {
        Files.deleteIfExists(temporary);
      }
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.FAILED, "cannot write " + file() + ": " + e.getMessage());
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** The file's shape. */
  record Stored(Map<String, Profile> profiles) {}
}
