package io.e4j.kafka;

import io.e4j.core.ClientStore;
import io.e4j.core.E4Client;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;

/**
 * The Kafka properties e4j reads, next to the producer's or consumer's own.
 *
 * <pre>
 * e4.state.file          the device state file (required unless a client is passed in code)
 * e4.inner.serializer    the serializer of the value before protection (a class name)
 * e4.inner.deserializer  the deserializer of the value after unprotection (a class name)
 * e4.policy              STRICT (default) or ALLOW_CLEARTEXT: records of topics without a key
 * e4.control.topic       where C2's commands travel (default e4.control)
 * e4.control.consume     true: the deserializer also applies this device's commands
 * </pre>
 */
public final class E4KafkaConfig {
  public static final String STATE_FILE = "e4.state.file";
  public static final String INNER_SERIALIZER = "e4.inner.serializer";
  public static final String INNER_DESERIALIZER = "e4.inner.deserializer";
  public static final String POLICY = "e4.policy";
  public static final String CONTROL_TOPIC = "e4.control.topic";
  public static final String CONTROL_CONSUME = "e4.control.consume";
  public static final String DEFAULT_CONTROL_TOPIC = "e4.control";

  private E4KafkaConfig() {}

  static E4Client loadDevice(Map<String, ?> configs) {
    Object stateFile = configs.get(STATE_FILE);
    if (stateFile == null) {
      throw new ConfigException(
          STATE_FILE + " is required: the path of the device's E4 state file");
    }
    return E4Client.load(ClientStore.file(Path.of(stateFile.toString())));
  }

  static Policy policy(Map<String, ?> configs) {
    Object value = configs.get(POLICY);
    if (value == null) {
      return Policy.STRICT;
    }
    try {
      return Policy.valueOf(value.toString().trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(POLICY, value, "STRICT or ALLOW_CLEARTEXT");
    }
  }

  static String controlTopic(Map<String, ?> configs) {
    Object value = configs.get(CONTROL_TOPIC);
    return value == null ? DEFAULT_CONTROL_TOPIC : value.toString();
  }

  static <T> T instantiate(Map<String, ?> configs, String key, Class<T> type) {
    Object value = configs.get(key);
    if (value == null) {
      throw new ConfigException(key + " is required");
    }
    try {
      Class<?> implementation =
          value instanceof Class<?> given ? given : Class.forName(value.toString());
      return type.cast(implementation.getDeclaredConstructor().newInstance());
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new KafkaException("cannot create " + key + " " + value + ": " + e, e);
    }
  }

  /** What to do with a record on a topic the device holds no key for. */
  public enum Policy {
    /** Refuse it: serialization or deserialization fails. */
    STRICT,
    /** Pass it through in clear. */
    ALLOW_CLEARTEXT
  }
}
