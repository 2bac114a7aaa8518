package io.e4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.e4j.api.v1.GetCountsRequest;
import io.e4j.api.v1.GetCountsResponse;
import io.e4j.api.v1.GetCryptoModeRequest;
import io.e4j.api.v1.GetCryptoModeResponse;
import io.e4j.cli.internal.C2Connection;
import io.e4j.cli.internal.ExitCodes;
import io.e4j.cli.internal.Json;
import io.e4j.cli.internal.Table;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code e4 status}: C2's mode and what it holds. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Show C2's mode and how many devices, topics and undelivered commands it holds.",
    footer = {"", "Examples:", "  e4 status", "  e4 status -o json"})
final class StatusCommand implements Callable<Integer> {
  @Mixin private OperatorOptions api;

  @Override
  public Integer call() {
    try (C2Connection c2 = api.connect()) {
      GetCryptoModeResponse mode = c2.c2().getCryptoMode(GetCryptoModeRequest.getDefaultInstance());
      GetCountsResponse counts = c2.c2().getCounts(GetCountsRequest.getDefaultInstance());
      if (api.json()) {
        ObjectNode document = Json.object();
        document.put("endpoint", c2.endpoint().toString());
        document.put("mode", mode.getMode().name());
        document.set("counts", Json.node(counts));
        api.print(document);
      } else {
        api.print(
            Table.withColumns("ENDPOINT", "MODE", "DEVICES", "TOPICS", "UNDELIVERED COMMANDS")
                .row(
                    c2.endpoint(),
                    mode.getMode(),
                    Text.count(counts.getDevices()),
                    Text.count(counts.getTopics()),
                    Text.count(counts.getUndeliveredCommands())));
      }
    }
    return ExitCodes.OK;
  }
}
