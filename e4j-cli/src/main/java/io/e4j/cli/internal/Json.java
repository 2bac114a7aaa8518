package io.e4j.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

/**
 * Output for scripts: API messages in Protobuf's canonical JSON mapping (the HTTP API's too), with
 * every field shown, zeros and empty lists included, so that a script never misses a key.
 */
public final class Json {
  private static final JsonFormat.Printer PRETTY =
      JsonFormat.printer().alwaysPrintFieldsWithNoPresence();
  private static final JsonFormat.Printer ONE_LINE = PRETTY.omittingInsignificantWhitespace();
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Json() {}

  /** One message as an indented document. */
  public static String document(MessageOrBuilder message) {
    try {
      return PRETTY.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName(), e);
    }
  }

  /** One message on one line (JSON Lines, for streams). */
  public static String line(MessageOrBuilder message) {
    try {
      return ONE_LINE.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName(), e);
    }
  }

  /** An object to compose from several messages and values. */
  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** A message as a node, to compose into an {@link #object()}. */
  public static JsonNode node(MessageOrBuilder message) {
    try {
      return MAPPER.readTree(document(message));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Protobuf printed JSON that Jackson cannot read", e);
    }
  }

  public static String document(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot print a JSON tree", e);
    }
  }
}
