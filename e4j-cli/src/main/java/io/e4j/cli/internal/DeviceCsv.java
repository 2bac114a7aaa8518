package io.e4j.cli.internal;

import com.google.protobuf.ByteString;
import io.e4j.api.v1.CreateDeviceRequest;
import io.e4j.api.v1.DeviceRef;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A CSV file of devices to create, read one line at a time: a header naming the columns, then one
 * device a line. Columns: {@code name} (required), {@code id} (optional, 32 hex digits) and at most
 * one credential column, {@code key} or {@code public_key} (64 hex digits) or {@code password} (16
 * characters or more); without one, C2 generates each device's key. Fields may be quoted ("a
 * ""quoted"", field") but not span lines. Each line is numbered as editors number it, the header
 * being line 1, so that problems can be reported where the operator will look.
 */
public final class DeviceCsv implements Closeable {
  private static final int MIN_PASSWORD_LENGTH = 16;
  private static final String BYTE_ORDER_MARK = "\uFEFF";

  /** What the file gives C2 to know each device by. */
  public enum Credential {
    KEY("key"),
    PASSWORD("password"),
    PUBLIC_KEY("public_key"),
    GENERATE("");

    private final String column;

    Credential(String column) {
      this.column = column;
    }
  }

  /** One line after the header. */
  public sealed interface Line {
    int number();
  }

  /** A well-formed line: the device to create. */
  public record Entry(int number, CreateDeviceRequest request) implements Line {}

  /** A line that cannot be sent, and why. */
  public record Problem(int number, String message) implements Line {}

  private final Path file;
  private final BufferedReader reader;
  private final MessageDigest digest;
  private final Map<String, Integer> columns;
  private final Credential credential;
  private final boolean replace;
  private int lineNumber;

  private DeviceCsv(
      Path file,
      BufferedReader reader,
      MessageDigest digest,
      Map<String, Integer> columns,
      Credential credential,
      boolean replace,
      int lineNumber) {
    this.file = file;
    this.reader = reader;
    this.digest = digest;
    this.columns = columns;
    this.credential = credential;
    this.replace = replace;
    this.lineNumber = lineNumber;
  }

  /**
   * Opens {@code file} and reads its header.
   *
   * @param replace whether each request replaces the key of a device that exists already
   * @throws CommandFailure naming the file and the problem, when the header is not usable
   */
  public static DeviceCsv open(Path file, boolean replace) {
    BufferedReader reader;
    try {
      reader =
          new BufferedReader(
              new java.io.InputStreamReader(
                  Files.newInputStream(file),
                  StandardCharsets.UTF_8
                      .newDecoder()
                      .onMalformedInput(CodingErrorAction.REPORT)
                      .onUnmappableCharacter(CodingErrorAction.REPORT)));
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.FAILED, "cannot read " + file + ": " + e.getMessage());
    }
    MessageDigest digest = sha256();
    try {
      String header = reader.readLine();
      if (header == null) {
        throw headerProblem(file, "the file is empty; expected a header such as name,key");
      }
      digest.update((header + "\n").getBytes(StandardCharsets.UTF_8));
      if (header.startsWith(BYTE_ORDER_MARK)) {
        header = header.substring(1);
      }
      Map<String, Integer> columns = columns(file, header);
      return new DeviceCsv(file, reader, digest, columns, credential(file, columns), replace, 1);
    } catch (IOException e) {
      closeQuietly(reader);
      throw new CommandFailure(ExitCodes.FAILED, "cannot read " + file + ": " + e.getMessage());
    } catch (CommandFailure e) {
      closeQuietly(reader);
      throw e;
    }
  }

  private static Map<String, Integer> columns(Path file, String header) {
    List<String> names;
    try {
      names = fields(header);
    } catch (IllegalArgumentException e) {
      throw headerProblem(file, e.getMessage());
    }
    Map<String, Integer> columns = new LinkedHashMap<>();
    for (int index = 0; index < names.size(); index++) {
      String name = names.get(index).strip().toLowerCase(Locale.ROOT);
      if (!List.of("name", "id", "key", "password", "public_key").contains(name)) {
        throw headerProblem(
            file,
            "unknown column '"
                + names.get(index)
                + "' (the columns are name, id, and one of key, password, public_key)");
      }
      if (columns.put(name, index) != null) {
        throw headerProblem(file, "column '" + name + "' appears twice");
      }
    }
    if (!columns.containsKey("name")) {
      throw headerProblem(file, "no 'name' column (a header such as name,key comes first)");
    }
    return columns;
  }

  private static Credential credential(Path file, Map<String, Integer> columns) {
    List<Credential> given =
        List.of(Credential.KEY, Credential.PASSWORD, Credential.PUBLIC_KEY).stream()
            .filter(credential -> columns.containsKey(credential.column))
            .toList();
    if (given.size() > 1) {
      throw headerProblem(
          file,
          "one credential column at most; found "
              + String.join(" and ", given.stream().map(c -> c.column).toList()));
    }
    return given.isEmpty() ? Credential.GENERATE : given.get(0);
  }

  private static CommandFailure headerProblem(Path file, String message) {
    return new CommandFailure(ExitCodes.FAILED, file + ":1: " + message);
  }

  public Path file() {
    return file;
  }

  public Credential credential() {
    return credential;
  }

  /** The number of the last line read (the header is 1). */
  public int lineNumber() {
    return lineNumber;
  }

  /** SHA-256 of every line read so far, the header included, each ended by a line feed. */
  public String digestSoFar() {
    try {
      return HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest());
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("SHA-256 cannot be cloned on this JDK", e);
    }
  }

  /** The next device line, skipping blank ones; empty at the end of the file. */
  public Optional<Line> next() {
    String text;
    while ((text = readLine()) != null) {
      if (!text.isBlank()) {
        return Optional.of(parse(lineNumber, text));
      }
    }
    return Optional.empty();
  }

  /**
   * Reads, without parsing, every line up to {@code lastLine} included, so that {@link
   * #digestSoFar()} covers them.
   *
   * @return false if the file ends before
   */
  public boolean skipTo(int lastLine) {
    while (lineNumber < lastLine) {
      if (readLine() == null) {
        return false;
      }
    }
    return true;
  }

  private String readLine() {
    String text;
    try {
      text = reader.readLine();
    } catch (CharacterCodingException e) {
      throw new CommandFailure(
          ExitCodes.FAILED,
          file + ":" + (lineNumber + 1) + ": not UTF-8 text; save the file as UTF-8");
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.FAILED, "cannot read " + file + ": " + e.getMessage());
    }
    if (text != null) {
      lineNumber++;
      digest.update((text + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return text;
  }

  private Line parse(int number, String text) {
    List<String> values;
    try {
      values = fields(text);
    } catch (IllegalArgumentException e) {
      return new Problem(number, e.getMessage());
    }
    if (values.size() != columns.size()) {
      return new Problem(number, "expected " + columns.size() + " fields, found " + values.size());
    }
    String name = values.get(columns.get("name"));
    if (name.isBlank()) {
      return new Problem(number, "the name is missing");
    }
    DeviceRef.Builder device = DeviceRef.newBuilder().setName(name);
    CreateDeviceRequest.Builder request = CreateDeviceRequest.newBuilder().setReplace(replace);
    try {
      if (columns.containsKey("id")) {
        String id = values.get(columns.get("id")).strip();
        if (!id.isEmpty()) {
          device.setId(DeviceRefs.deviceId(id));
        }
      }
      String secret =
          credential == Credential.GENERATE ? "" : values.get(columns.get(credential.column));
      switch (credential) {
        case KEY -> request.setKey(key(secret, "key"));
        case PUBLIC_KEY -> request.setPublicKey(key(secret, "public_key"));
        case PASSWORD -> request.setPassword(password(secret));
        case GENERATE -> request.setGenerate(true);
      }
    } catch (IllegalArgumentException e) {
      return new Problem(number, e.getMessage());
    }
    return new Entry(number, request.setDevice(device).build());
  }

  private static ByteString key(String value, String column) {
    String hex = value.strip();
    if (hex.isEmpty()) {
      throw new IllegalArgumentException(column + " is missing");
    }
    if (!hex.matches("[0-9a-fA-F]*")) {
      throw new IllegalArgumentException(column + " is not hexadecimal");
    }
    if (hex.length() != 64) {
      throw new IllegalArgumentException(
          column + " has " + hex.length() + " hex digits; expected 64 (32 bytes)");
    }
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }

  private static String password(String password) {
    if (password.length() < MIN_PASSWORD_LENGTH) {
      throw new IllegalArgumentException(
          "password has "
              + password.length()
              + " characters; at least "
              + MIN_PASSWORD_LENGTH
              + " are needed");
    }
    return password;
  }

  /** The fields of one line: comma-separated, optionally in double quotes ("" for a quote). */
  static List<String> fields(String line) {
    List<String> fields = new ArrayList<>();
    int position = 0;
    while (true) {
      StringBuilder field = new StringBuilder();
      if (position < line.length() && line.charAt(position) == '"') {
        position++;
        while (true) {
          if (position >= line.length()) {
            throw new IllegalArgumentException(
                "a quoted field is not closed (a field cannot span lines)");
          }
          char c = line.charAt(position++);
          if (c == '"') {
            if (position < line.length() && line.charAt(position) == '"') {
              field.append('"');
              position++;
            } else {
              break;
            }
          } else {
            field.append(c);
          }
        }
        if (position < line.length() && line.charAt(position) != ',') {
          throw new IllegalArgumentException(
              "unexpected '"
                  + line.charAt(position)
                  + "' after a closing quote, column "
                  + (position + 1));
        }
      } else {
        while (position < line.length() && line.charAt(position) != ',') {
          char c = line.charAt(position++);
          if (c == '"') {
            throw new IllegalArgumentException(
                "a quote inside an unquoted field, column "
                    + position
                    + " (quote the whole field)");
          }
          field.append(c);
        }
      }
      fields.add(field.toString());
      if (position >= line.length()) {
        return fields;
      }
      position++; // the comma
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private static void closeQuietly(BufferedReader reader) {
    try {
      reader.close();
    } catch (IOException e) {
      // nothing was written: a failed close loses nothing
    }
  }

  @Override
  public void close() {
    closeQuietly(reader);
  }
}
