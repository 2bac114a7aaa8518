package io.e4j.cli;

import io.e4j.api.v1.Device;
import io.e4j.api.v1.ListDevicesResponse;
import io.e4j.api.v1.ListTopicsResponse;
import io.e4j.api.v1.Topic;
import io.e4j.cli.internal.C2Connection;
import io.e4j.cli.internal.ExitCodes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The page options of every listing: one page at a time by default, or all of them. */
final class Paging {
  private static final int MAX_PAGE_SIZE = 1000;

  @Spec(Spec.Target.MIXEE)
  private CommandSpec command;

  private int pageSize = 100;

  @ArgGroup(exclusive = true)
  private Which which;

  /** The first page, another given by its token, or all of them. */
  static final class Which {
    @Option(names = "--all", description = "every page, one after the other")
    boolean all;

    @Option(
        names = "--page-token",
        paramLabel = "TOKEN",
        description = "the page after a previous listing (its next-page token)")
    String pageToken;
  }

  @Option(
      names = "--page-size",
      paramLabel = "N",
      description = "items a page, 1 to 1000 (default: 100)")
  void pageSize(int size) {
    if (size < 1 || size > MAX_PAGE_SIZE) {
      throw new CommandLine.ParameterException(
          command.commandLine(), "--page-size must be 1 to " + MAX_PAGE_SIZE + ", got " + size);
    }
    pageSize = size;
  }

  /** One page as C2 returns it. */
  record Page<T>(List<T> items, String nextPageToken) {}

  int pageSize() {
    return pageSize;
  }

  /**
   * The page asked for, or with {@code --all} every page joined (its next-page token then empty).
   *
   * @param fetch the page after the given token ("" for the first)
   */
  <T> Page<T> fetch(Function<String, Page<T>> fetch) {
    boolean all = which != null && which.all;
    String token = which == null || which.pageToken == null ? "" : which.pageToken;
    Page<T> page = fetch.apply(token);
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

  /**
   * Lists devices, a page or all of them, with {@code call} (the page after a token), and prints
   * them.
   */
  int printDevices(
      OperatorOptions api, BiFunction<C2Connection, String, ListDevicesResponse> call) {
    Page<Device> page;
    try (C2Connection c2 = api.connect()) {
      page =
          fetch(
              token -> {
                ListDevicesResponse response = call.apply(c2, token);
                return new Page<>(response.getDevicesList(), response.getNextPageToken());
              });
    }
    if (api.json()) {
      api.print(
          ListDevicesResponse.newBuilder()
              .addAllDevices(page.items())
              .setNextPageToken(page.nextPageToken()));
    } else {
      api.print(Render.devices(page.items()));
      hint(api, page, "devices");
    }
    return ExitCodes.OK;
  }

  /**
   * Lists topics, a page or all of them, with {@code call} (the page after a token), and prints
   * them.
   */
  int printTopics(OperatorOptions api, BiFunction<C2Connection, String, ListTopicsResponse> call) {
    Page<Topic> page;
    try (C2Connection c2 = api.connect()) {
      page =
          fetch(
              token -> {
                ListTopicsResponse response = call.apply(c2, token);
                return new Page<>(response.getTopicsList(), response.getNextPageToken());
              });
    }
    if (api.json()) {
      api.print(
          ListTopicsResponse.newBuilder()
              .addAllTopics(page.items())
              .setNextPageToken(page.nextPageToken()));
    } else {
      api.print(Render.topics(page.items()));
      hint(api, page, "topics");
    }
    return ExitCodes.OK;
  }
}
