package io.e4j.cli;

import io.e4j.api.v1.WhoAmIRequest;
import io.e4j.api.v1.WhoAmIResponse;
import io.e4j.cli.internal.C2Connection;
import io.e4j.cli.internal.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code e4 whoami}. */
@Command(
    name = "whoami",
    mixinStandardHelpOptions = true,
    description = "Show the name and role of the token in use, and the C2 it talks to.",
    footer = {"", "Examples:", "  e4 whoami", "  e4 whoami --profile prod -o json"})
final class WhoAmICommand implements Callable<Integer> {
  @Mixin private OperatorOptions api;

  @Override
  public Integer call() {
    try (C2Connection c2 = api.connect()) {
      WhoAmIResponse caller = c2.c2().whoAmI(WhoAmIRequest.getDefaultInstance());
      if (api.json()) {
        api.print(caller);
      } else {
        api.say(caller.getName() + " (" + caller.getRole() + ") at " + c2.endpoint());
      }
    }
    return ExitCodes.OK;
  }
}
