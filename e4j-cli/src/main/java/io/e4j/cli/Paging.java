package io.e4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The page options of every listing: one page at a time by default, or all of them. */
final class Paging {
  private static final int MAX_PAGE_SIZE = 1000;

  @Spec(Spec.Target.MIXEE)
  private CommandSpec command;

  @Option(
      names = "--page-size",
      paramLabel = "N",
      defaultValue = "100",
      description = "items a page, 1 to 1000 (default: ${DEFAULT-VALUE})")
  private int pageSize;

  @Option(names = "--all", description = "every page, one after the other")
  private boolean all;

  @Option(
      names = "--page-token",
      paramLabel = "TOKEN",
      description = "the page after a previous listing (its next-page token)")
  private String pageToken;

  /** One page as C2 returns it. */
  record Page<T>(List<T> items, String nextPageToken) {}

  int pageSize() {
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new CommandLine.ParameterException(
          command.commandLine(), "--page-size must be 1 to " + MAX_PAGE_SIZE + ", got " + pageSize);
    }
    return pageSize;
  }

  /**
   * The page asked for, or with {@code --all} every page joined (its next-page token then empty).
   *
   * @param fetch the page after the given token ("" for the first)
   */
  <T> Page<T> fetch(Function<String, Page<T>> fetch) {
    if (all && pageToken != null) {
      throw new CommandLine.ParameterException(
          command.commandLine(), "--all and --page-token cannot be combined");
    }
    pageSize();
    Page<T> page = fetch.apply(pageToken == null ? "" : pageToken);
    if (!all) {
      return page;
    }
    List<T> items = new ArrayList<>(page.items());
    while (!page.nextPageToken().isEmpty()) {
      page = fetch.apply(page.nextPageToken());
      items.addAll(page.items());
    }
    return new Page<>(items, "");
  }

  /** Tells people that more pages follow, on standard error so that the table stays clean. */
  void hint(OperatorOptions api, Page<?> page, String what) {
    if (!api.json() && !page.nextPageToken().isEmpty()) {
      api.note(
          "e4: more "
              + what
              + " follow: add --page-token "
              + page.nextPageToken()
              + " for the next page, or --all for every page");
    }
  }
}
