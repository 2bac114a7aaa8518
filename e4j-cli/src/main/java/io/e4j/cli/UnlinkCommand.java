package io.e4j.cli;

import io.e4j.api.v1.DeviceRef;
import io.e4j.api.v1.UnlinkRequest;
import io.e4j.cli.internal.C2Connection;
import io.e4j.cli.internal.DeviceRefs;
import io.e4j.cli.internal.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code e4 unlink}. */
@Command(
    name = "unlink",
    mixinStandardHelpOptions = true,
    description = "Unlink a device from a topic and tell it to forget the topic's key.",
    footer = {"", "Example:", "  e4 unlink meter-0042 sensors/temperature"})
final class UnlinkCommand implements Callable<Integer> {
  @Mixin private OperatorOptions api;

  @Parameters(
      index = "0",
      paramLabel = "DEVICE",
      converter = DeviceRefs.class,
      description = "the device: a name, or id:HEX")
  private DeviceRef device;

  @Parameters(index = "1", paramLabel = "TOPIC", description = "the topic")
  private String topic;

  @Override
  public Integer call() {
    try (C2Connection c2 = api.connect()) {
      api.printOrSay(
          c2.c2().unlink(UnlinkRequest.newBuilder().setDevice(device).setTopic(topic).build()),
          "unlinked " + DeviceRefs.show(device) + " from " + topic);
    }
    return ExitCodes.OK;
  }
}
