package io.e4j.server.internal.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.DeviceRef;
import io.e4j.server.Validation;
import io.e4j.server.internal.operations.CallerService;
import java.util.Base64;
import java.util.function.Supplier;

/**
 * One call of a compatibility route: its arguments, read as grpc-gateway v1 read them for
 * Teserakt's C2 (a missing field is its default, unknown fields are ignored, bytes are standard
 * base64), and the operations run as its caller. A malformed argument of a call that changes
 * something is recorded in the audit log as its refusal, as the gRPC service does.
 */
final class CompatibilityCall {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServiceRequestContext ctx;
  private final AggregatedHttpRequest request;
  private final CallerService operations;
  private final String operation;
  private final boolean changes;
  private JsonNode body;

  /**
   * A call that {@link ApiServer#authorized} let through; {@code changes}: whether its malformed
   * arguments are audited.
   */
  CompatibilityCall(
      ServiceRequestContext ctx,
      AggregatedHttpRequest request,
      CallerService operations,
      String operation,
      boolean changes) {
    this.ctx = ctx;
    this.request = request;
    this.operations = operations.as(ctx.attr(AccessInterceptor.CALLER));
    this.operation = operation;
    this.changes = changes;
  }

  /** The operations, recorded in the logs as the caller's. */
  CallerService operations() {
    return operations;
  }

  /** The client named in the path ({@code {client.name}}). */
  DeviceRef client() {
    return argument(() -> DeviceRef.name(ctx.pathParam("name")));
  }

  /** The topic in the path ({@code {topic=**}}), which may hold slashes. */
  String topic() {
    return argument(
        () -> {
          String topic = ctx.pathParam("topic");
          Validation.topic(topic);
          return topic;
        });
  }

  /** A 64-bit integer query parameter; 0 when absent, as an unset proto3 field. */
  long query(String name) {
    return argument(
        () -> {
          String value = ctx.queryParam(name);
          if (value == null || value.isEmpty()) {
            return 0L;
          }
          long parsed;
          try {
            parsed = Long.parseLong(value);
          } catch (NumberFormatException e) {
            throw invalid(name + " must be a whole number, got '" + value + "'");
          }
          if (parsed < 0) {
            throw invalid(name + " must not be negative, got " + parsed);
          }
          return parsed;
        });
  }

  /** A string field of the JSON body; empty when absent. */
  String text(String field) {
    return argument(() -> textOf(body().path(field), field));
  }

  /** A bytes field of the JSON body, standard base64; empty when absent. */
  byte[] bytes(String field) {
    return argument(
        () -> {
          String encoded = textOf(body().path(field), field);
          try {
            return Base64.getDecoder().decode(encoded);
          } catch (IllegalArgumentException e) {
            throw invalid(field + " must be standard base64: " + e.getMessage());
          }
        });
  }

  /** A boolean field of the JSON body; false when absent. */
  boolean flag(String field) {
    return argument(
        () -> {
          JsonNode value = body().path(field);
          if (value.isMissingNode() || value.isNull()) {
            return false;
          }
          if (!value.isBoolean()) {
            throw invalid(field + " must be true or false");
          }
          return value.booleanValue();
        });
  }

  /**
   * The client a {@code Client} field of the JSON body names: {@code {"<field>": {"name": ..}}}.
   */
  DeviceRef client(String field) {
    return argument(
        () -> {
          String name = textOf(body().path(field).path("name"), field + ".name");
          if (name.isEmpty()) {
            throw invalid(field + ".name is required");
          }
          return DeviceRef.name(name);
        });
  }

  /** Refuses the call: an argument is wrong although well-formed. */
  void refuse(String why) {
    argument(
        () -> {
          throw invalid(why);
        });
  }

  /** A value read or derived from the arguments; if they are wrong, the call is refused. */
  <T> T argument(Supplier<T> read) {
    return changes ? operations.argument(operation, ctx.path(), read) : read.get();
  }

  private JsonNode body() {
    if (body == null) {
      body = parse(request);
    }
    return body;
  }

  /** The body as JSON; no body at all is an empty message, as grpc-gateway took it. */
  private static JsonNode parse(AggregatedHttpRequest request) {
    if (request.content().isEmpty()) {
      return JSON.createObjectNode();
    }
    JsonNode parsed;
    try {
      parsed = JSON.readTree(request.contentUtf8());
    } catch (JsonProcessingException e) {
      throw invalid("the body is not JSON: " + e.getOriginalMessage());
    }
    if (!parsed.isObject()) {
      throw invalid("the body must be a JSON object");
    }
    return parsed;
  }

  private static String textOf(JsonNode value, String field) {
    if (value.isMissingNode() || value.isNull()) {
      return "";
    }
    if (!value.isTextual()) {
      throw invalid(field + " must be a string");
    }
    return value.textValue();
  }

  private static C2Exception invalid(String why) {
    return new C2Exception(Reason.INVALID_ARGUMENT, why);
  }
}
