package io.e4j.kafka;

import io.e4j.core.E4Client;
import io.e4j.core.E4Exception;
import io.e4j.core.E4Exception.Reason;
import io.e4j.kafka.E4KafkaConfig.Policy;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Protects record values with E4: the inner serializer's bytes, under the key of the record's topic
 * (the E4 topic is the Kafka topic name). Null values (tombstones) stay null.
 *
 * <pre>{@code
 * props.put("value.serializer", E4Serializer.class.getName());
 * props.put("e4.inner.serializer", StringSerializer.class.getName());
 * props.put("e4.state.file", "/var/lib/meter/meter-0042.e4");
 * }</pre>
 */
public final class E4Serializer<T> implements Serializer<T> {
  private E4Client device;
  private Serializer<T> inner;
  private Policy policy = Policy.STRICT;
  private boolean ownsDevice;

  /** For configuration through Kafka properties. */
  public E4Serializer() {}

  /**
   * For code that shares one E4 client between serializers, deserializers and the control consumer.
   */
  public E4Serializer(E4Client device, Serializer<T> inner, Policy policy) {
    this.device = device;
    this.inner = inner;
    this.policy = policy;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void configure(Map<String, ?> configs, boolean isKey) {
    if (inner == null) {
      inner = E4KafkaConfig.instantiate(configs, E4KafkaConfig.INNER_SERIALIZER, Serializer.class);
      policy = E4KafkaConfig.policy(configs);
    }
    inner.configure(configs, isKey);
    if (device == null) {
      device = E4KafkaConfig.loadDevice(configs);
      ownsDevice = true;
    }
  }

  @Override
  public byte[] serialize(String topic, T data) {
    byte[] plain = inner.serialize(topic, data);
    if (plain == null) {
      return null;
    }
    try {
      return device.protect(topic, plain);
    } catch (E4Exception e) {
      if (e.reason() == Reason.TOPIC_KEY_MISSING && policy == Policy.ALLOW_CLEARTEXT) {
        return plain;
      }
      throw new SerializationException(
          "E4 cannot protect a record for " + topic + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (inner != null) {
      inner.close();
    }
    if (ownsDevice) {
      device.close();
    }
  }
}
