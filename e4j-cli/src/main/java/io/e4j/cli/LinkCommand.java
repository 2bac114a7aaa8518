package io.e4j.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.e4j.api.v1.DeviceRef;
import io.e4j.api.v1.LinkDevicesRequest;
import io.e4j.api.v1.LinkDevicesResponse;
import io.e4j.api.v1.LinkRequest;
import io.e4j.api.v1.LinkResult;
import io.e4j.cli.internal.C2Connection;
import io.e4j.cli.internal.CommandFailure;
import io.e4j.cli.internal.DeviceRefs;
import io.e4j.cli.internal.ExitCodes;
import io.e4j.cli.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code e4 link}: links devices to a topic, which sends them its key. */
@Command(
    name = "link",
    mixinStandardHelpOptions = true,
    description = {
      "Link devices to a topic, which sends them its key.",
      "",
      "Sends the topic's key again to a device linked already.",
      "With --devices-file, link every device listed there (one DEVICE a line; blank lines and"
          + " lines starting with # are skipped), 1,000 a call; each line that fails is reported"
          + " as FILE:LINE: reason."
    },
    footer = {
      "",
      "Examples:",
      "  e4 link meter-0042 sensors/temperature",
      "  e4 link --topic sensors/temperature --devices-file meters.txt"
    })
final class LinkCommand implements Callable<Integer> {
  private static final int BATCH = 1000;

  @Spec private CommandSpec spec;
  @Mixin private OperatorOptions api;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "DEVICE",
      converter = DeviceRefs.class,
      description = "the device: a name, or id:HEX")
  private DeviceRef device;

  @Parameters(index = "1", arity = "0..1", paramLabel = "TOPIC", description = "the topic")
  private String topic;

  @Option(names = "--topic", paramLabel = "TOPIC", description = "the topic, with --devices-file")
  private String topicOption;

  @Option(
      names = "--devices-file",
      paramLabel = "FILE",
      description = "link every device listed in FILE")
  private Path devicesFile;

  /** A device of the file, with its line. */
  private record Listed(int line, DeviceRef device) {}

  @Override
  public Integer call() {
    if (devicesFile == null) {
      if (device == null || topic == null || topicOption != null) {
        throw usage("give DEVICE TOPIC, or --topic TOPIC --devices-file FILE");
      }
      try (C2Connection c2 = api.connect()) {
        api.printOrSay(
            c2.c2().link(LinkRequest.newBuilder().setDevice(device).setTopic(topic).build()),
            "linked " + DeviceRefs.show(device) + " to " + topic + "; the key is on its way");
      }
      return ExitCodes.OK;
    }
    if (device != null || topicOption == null) {
      throw usage("--devices-file goes with --topic TOPIC and no DEVICE");
    }
    return linkAll();
  }

  private int linkAll() {
    List<String> lines;
    try {
      lines = Files.readAllLines(devicesFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CommandFailure(
          ExitCodes.FAILED, "cannot read " + devicesFile + ": " + e.getMessage());
    }
    List<String> failures = new ArrayList<>();
    List<Listed> listed = new ArrayList<>();
    for (int index = 0; index < lines.size(); index++) {
      String text = lines.get(index).strip();
      if (text.isEmpty() || text.startsWith("#")) {
        continue;
      }
      try {
        listed.add(new Listed(index + 1, DeviceRefs.parse(text)));
      } catch (IllegalArgumentException e) {
        failures.add(fail(index + 1, e.getMessage()));
      }
    }
    long linked = 0;
    try (C2Connection c2 = api.connect()) {
      for (int start = 0; start < listed.size(); start += BATCH) {
        List<Listed> batch = listed.subList(start, Math.min(start + BATCH, listed.size()));
        LinkDevicesResponse response =
            c2.c2()
                .linkDevices(
                    LinkDevicesRequest.newBuilder()
                        .setTopic(topicOption)
                        .addAllDevices(batch.stream().map(Listed::device).toList())
                        .build());
        boolean[] failed = new boolean[batch.size()];
        for (LinkResult result : response.getResultsList()) {
          if (result.hasError() && result.getIndex() >= 0 && result.getIndex() < batch.size()) {
            failed[result.getIndex()] = true;
            String message = result.getError().getMessage();
            failures.add(
                fail(
                    batch.get(result.getIndex()).line(),
                    message.isEmpty()
                        ? result.getError().getCode().name().toLowerCase(Locale.ROOT)
                        : message));
          }
        }
        for (boolean one : failed) {
          linked += one ? 0 : 1;
        }
      }
    }
    if (api.json()) {
      ObjectNode document = Json.object();
      document.put("topic", topicOption);
      document.put("linked", linked);
      document.put("failed", failures.size());
      ArrayNode reported = document.putArray("failures");
      failures.forEach(reported::add);
      api.print(document);
    } else {
      api.say(
          Text.count(linked)
              + " linked to "
              + topicOption
              + ", "
              + Text.count(failures.size())
              + " failed");
    }
    return failures.isEmpty() ? ExitCodes.OK : ExitCodes.FAILED;
  }

  private String fail(int line, String message) {
    String report = devicesFile + ":" + line + ": " + message;
    api.note(report);
    return report;
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
