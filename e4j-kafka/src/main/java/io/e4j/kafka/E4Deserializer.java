package io.e4j.kafka;

import io.e4j.core.E4Client;
import io.e4j.core.E4Exception;
import io.e4j.core.E4Exception.Reason;
import io.e4j.kafka.E4KafkaConfig.Policy;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Unprotects record values with E4, then hands the plaintext to the inner deserializer. A record
 * that fails a check (wrong key, too old, replayed) fails deserialization with the reason.
 *
 * <p>With {@code e4.control.consume=true} it also runs an {@link E4ControlConsumer} on the same E4
 * client, so the commands C2 sends reach the keys this deserializer uses.
 */
public final class E4Deserializer<T> implements Deserializer<T> {
  private E4Client device;
  private Deserializer<T> inner;
  private Policy policy = Policy.STRICT;
  private boolean ownsDevice;
  private E4ControlConsumer control;

  /** For configuration through Kafka properties. */
  public E4Deserializer() {}

  public E4Deserializer(E4Client device, Deserializer<T> inner, Policy policy) {
    this.device = device;
    this.inner = inner;
    this.policy = policy;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void configure(Map<String, ?> configs, boolean isKey) {
    if (inner == null) {
      inner =
          E4KafkaConfig.instantiate(configs, E4KafkaConfig.INNER_DESERIALIZER, Deserializer.class);
      policy = E4KafkaConfig.policy(configs);
    }
    inner.configure(configs, isKey);
    if (device == null) {
      device = E4KafkaConfig.loadDevice(configs);
      ownsDevice = true;
    }
    if (Boolean.parseBoolean(String.valueOf(configs.get(E4KafkaConfig.CONTROL_CONSUME)))) {
      Map<String, Object> controlConfig = new HashMap<>(configs);
      controlConfig.put(
          "group.id", "e4-control-" + java.util.HexFormat.of().formatHex(device.id()));
      control = new E4ControlConsumer(device, controlConfig, E4KafkaConfig.controlTopic(configs));
      control.start();
    }
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return inner.deserialize(topic, null);
    }
    byte[] plain;
    try {
      plain = device.unprotect(topic, data).orElseThrow();
    } catch (E4Exception e) {
      if (e.reason() == Reason.TOPIC_KEY_MISSING && policy == Policy.ALLOW_CLEARTEXT) {
        plain = data;
      } else {
        throw new SerializationException(
            "E4 refused a record of " + topic + ": " + e.reason() + ": " + e.getMessage(), e);
      }
    }
    return inner.deserialize(topic, plain);
  }

  @Override
  public void close() {
    if (control != null) {
      control.close();
    }
    if (inner != null) {
      inner.close();
    }
    if (ownsDevice) {
      device.close();
    }
  }
}
