package io.e4j.cli;

import io.e4j.api.v1.Device;
import io.e4j.api.v1.Topic;
import io.e4j.cli.internal.Table;
import java.util.List;

/** The tables of devices and topics, shared by every listing of them. */
final class Render {
  private Render() {}

  static Table devices(List<Device> devices) {
    boolean publicKeys = devices.stream().anyMatch(device -> !device.getPublicKey().isEmpty());
    Table table =
        publicKeys
            ? Table.withColumns("NAME", "ID", "PUBLIC KEY", "CREATED")
            : Table.withColumns("NAME", "ID", "CREATED");
    for (Device device : devices) {
      if (publicKeys) {
        table.row(
            device.getName(),
            device.getId(),
            device.getPublicKey(),
            Text.time(device.getCreatedAt()));
      } else {
        table.row(device.getName(), device.getId(), Text.time(device.getCreatedAt()));
      }
    }
    return table;
  }

  static Table topics(List<Topic> topics) {
    Table table = Table.withColumns("TOPIC", "KEY VERSION", "CREATED", "ROTATED");
    for (Topic topic : topics) {
      table.row(
          topic.getName(),
          topic.getKeyVersion(),
          Text.time(topic.getCreatedAt()),
          Text.time(topic.getRotatedAt()));
    }
    return table;
  }

  /** A device as sentences name it: "meter-1", or its ID when it has no name. */
  static String device(Device device) {
    return device.getName().isEmpty() ? "id:" + device.getId() : device.getName();
  }
}
