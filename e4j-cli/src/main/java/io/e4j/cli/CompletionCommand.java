package io.e4j.cli;

import io.e4j.cli.internal.ExitCodes;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code e4 completion}: bash (and zsh) completion for every command and option. */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = {
      "Print a bash completion script for e4.",
      "",
      "zsh reads it too, after autoload -U +X bashcompinit && bashcompinit."
    },
    footer = {
      "",
      "Examples:",
      "  source <(e4 completion)                         (this shell)",
      "  e4 completion > /etc/bash_completion.d/e4       (every new shell)"
    })
final class CompletionCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(AutoComplete.bash("e4", spec.root().commandLine()));
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
