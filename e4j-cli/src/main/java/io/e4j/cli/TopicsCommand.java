package io.e4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.e4j.api.v1.CreateTopicRequest;
import io.e4j.api.v1.CreateTopicResponse;
import io.e4j.api.v1.DeviceLag;
import io.e4j.api.v1.GetTopicRequest;
import io.e4j.api.v1.GetTopicResponse;
import io.e4j.api.v1.GetTopicStatusRequest;
import io.e4j.api.v1.GetTopicStatusResponse;
import io.e4j.api.v1.ListTopicDevicesRequest;
import io.e4j.api.v1.ListTopicsRequest;
import io.e4j.api.v1.RemoveTopicRequest;
import io.e4j.api.v1.RotateTopicRequest;
import io.e4j.api.v1.RotateTopicResponse;
import io.e4j.api.v1.Topic;
import io.e4j.cli.internal.C2Connection;
import io.e4j.cli.internal.ExitCodes;
import io.e4j.cli.internal.Json;
import io.e4j.cli.internal.Table;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code e4 topics}: the topics C2 keeps keys for. */
@Command(
    name = "topics",
    mixinStandardHelpOptions = true,
    description = "Create, list, rotate and remove topics; list a topic's devices.",
    footer = {
      "",
      "Examples:",
      "  e4 topics create sensors/temperature",
      "  e4 topics rotate sensors/temperature",
      "  e4 topics status sensors/temperature",
      "  e4 topics devices sensors/temperature --all"
    },
    subcommands = {
      TopicsCommand.Create.class,
      TopicsCommand.Remove.class,
      TopicsCommand.ListTopics.class,
      TopicsCommand.Show.class,
      TopicsCommand.Status.class,
      TopicsCommand.Rotate.class,
      TopicsCommand.Devices.class
    })
final class TopicsCommand {
  private TopicsCommand() {}

  /** {@code e4 topics create}. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create a topic with a random key; link devices to it with e4 link.",
      footer = {"", "Example:", "  e4 topics create sensors/temperature"})
  static final class Create implements Callable<Integer> {
    @Mixin private OperatorOptions api;

    @Parameters(paramLabel = "TOPIC", description = "the topic")
    private String topic;

    @Override
    public Integer call() {
      try (C2Connection c2 = api.connect()) {
        CreateTopicResponse created =
            c2.c2().createTopic(CreateTopicRequest.newBuilder().setTopic(topic).build());
        api.printOrSay(created, "created topic " + created.getTopic().getName());
      }
      return ExitCodes.OK;
    }
  }

  /** {@code e4 topics remove}. */
  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description = "Forget a topic; every device linked to it is told to forget its key.",
      footer = {"", "Example:", "  e4 topics remove sensors/temperature"})
  static final class Remove implements Callable<Integer> {
    @Mixin private OperatorOptions api;

    @Parameters(paramLabel = "TOPIC", description = "the topic")
    private String topic;

    @Override
    public Integer call() {
      try (C2Connection c2 = api.connect()) {
        api.printOrSay(
            c2.c2().removeTopic(RemoveTopicRequest.newBuilder().setTopic(topic).build()),
            "removed topic " + topic);
      }
      return ExitCodes.OK;
    }
  }

  /** {@code e4 topics list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List topics in name order, one page at a time (100 by default).",
      footer = {
        "",
        "Examples:",
        "  e4 topics list",
        "  e4 topics list --prefix sensors/ --all -o json"
      })
  static final class ListTopics implements Callable<Integer> {
    @Mixin private OperatorOptions api;
    @Mixin private Paging paging;

    @Option(names = "--prefix", paramLabel = "P", description = "only topics starting with P")
    private String prefix = "";

    @Override
    public Integer call() {
      return paging.printTopics(
          api,
          (c2, token) ->
              c2.c2()
                  .listTopics(
                      ListTopicsRequest.newBuilder()
                          .setNamePrefix(prefix)
                          .setPageSize(paging.pageSize())
                          .setPageToken(token)
                          .build()));
    }
  }

  /** {@code e4 topics show}. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show a topic: its key version, when it was created and rotated, its devices.",
      footer = {"", "Example:", "  e4 topics show sensors/temperature"})
  static final class Show implements Callable<Integer> {
    @Mixin private OperatorOptions api;

    @Parameters(paramLabel = "TOPIC", description = "the topic")
    private String topic;

    @Override
    public Integer call() {
      GetTopicResponse found;
      try (C2Connection c2 = api.connect()) {
        found = c2.c2().getTopic(GetTopicRequest.newBuilder().setTopic(topic).build());
      }
      if (api.json()) {
        ObjectNode document = Json.object();
        document.set("topic", Json.node(found.getTopic()));
        document.put("deviceCount", found.getDeviceCount());
        api.print(document);
        return ExitCodes.OK;
      }
      Topic shown = found.getTopic();
      api.print(
          Table.withColumns("TOPIC", shown.getName())
              .row("key version", shown.getKeyVersion())
              .row("created", Text.time(shown.getCreatedAt()))
              .row("rotated", Text.time(shown.getRotatedAt()))
              .row("devices", Text.count(found.getDeviceCount())));
      return ExitCodes.OK;
    }
  }

  /** {@code e4 topics status}. */
  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = {
        "Show how far a topic's current key has reached its devices: how many reported holding it,"
            + " and which have not, since when.",
        "Devices report their keys when they are e4j devices (E4MqttClient, the e4 device shell,"
            + " the Kafka control consumer); Teserakt's clients do not, and are never counted on"
            + " the current key."
      },
      footer = {
        "",
        "Examples:",
        "  e4 topics status sensors/temperature",
        "  e4 topics status sensors/temperature --behind 100 -o json"
      })
  static final class Status implements Callable<Integer> {
    @Mixin private OperatorOptions api;

    @Parameters(paramLabel = "TOPIC", description = "the topic")
    private String topic;

    @Option(
        names = "--behind",
        paramLabel = "N",
        description = "how many devices not on the current key to list (default: 20, at most 1000)")
    private int behind = 20;

    @Override
    public Integer call() {
      GetTopicStatusResponse status;
      try (C2Connection c2 = api.connect()) {
        status =
            c2.c2()
                .getTopicStatus(
                    GetTopicStatusRequest.newBuilder()
                        .setTopic(topic)
                        .setBehindLimit(behind)
                        .build());
      }
      if (api.json()) {
        api.print(Json.node(status));
        return ExitCodes.OK;
      }
      Topic shown = status.getTopic();
      long linked = status.getLinkedDevices();
      long current = status.getOnCurrentKey();
      api.print(
          Table.withColumns("TOPIC", shown.getName())
              .row("key version", shown.getKeyVersion())
              .row("rotated", Text.time(shown.getRotatedAt()))
              .row("devices", Text.count(linked))
              .row(
                  "on current key",
                  Text.count(current) + " (" + Text.percent(current, linked) + ")")
              .row(
                  "not reporting",
                  Text.count(linked - status.getReportingDevices())
                      + " (cannot confirm: not e4j devices, or never connected)"));
      if (status.getBehindCount() > 0) {
        api.say("");
        Table behindTable =
            Table.withColumns("DEVICE", "ID", "HOLDS VERSION", "DUE SINCE", "REPORTS", "LAST SEEN");
        for (DeviceLag lag : status.getBehindList()) {
          behindTable.row(
              lag.getDeviceName(),
              lag.getDeviceId(),
              lag.getConfirmedVersion() == 0 ? "" : lag.getConfirmedVersion(),
              Text.time(lag.getDueSince()),
              lag.getReports() ? "yes" : "no",
              Text.time(lag.getLastSeen()));
        }
        api.print(behindTable);
        if (status.getBehindCount() < linked - current) {
          api.say(
              "... and "
                  + Text.count(linked - current - status.getBehindCount())
                  + " more (--behind N)");
        }
      }
      return ExitCodes.OK;
    }
  }

  /** {@code e4 topics rotate}. */
  @Command(
      name = "rotate",
      mixinStandardHelpOptions = true,
      description = {
        "Give a topic a new random key and send it to every linked device. Devices keep the old"
            + " key for a while (the key transition), so messages in flight still open."
      },
      footer = {"", "Example:", "  e4 topics rotate sensors/temperature"})
  static final class Rotate implements Callable<Integer> {
    @Mixin private OperatorOptions api;

    @Parameters(paramLabel = "TOPIC", description = "the topic")
    private String topic;

    @Override
    public Integer call() {
      try (C2Connection c2 = api.connect()) {
        RotateTopicResponse rotated =
            c2.c2().rotateTopic(RotateTopicRequest.newBuilder().setTopic(topic).build());
        api.printOrSay(
            rotated,
            "rotated "
                + rotated.getTopic().getName()
                + ": key version "
                + rotated.getTopic().getKeyVersion()
                + ", on its way to the linked devices");
      }
      return ExitCodes.OK;
    }
  }

  /** {@code e4 topics devices}. */
  @Command(
      name = "devices",
      mixinStandardHelpOptions = true,
      description = "List the devices linked to a topic, in ID order.",
      footer = {
        "",
        "Examples:",
        "  e4 topics devices sensors/temperature",
        "  e4 topics devices sensors/temperature --all -o json"
      })
  static final class Devices implements Callable<Integer> {
    @Mixin private OperatorOptions api;
    @Mixin private Paging paging;

    @Parameters(paramLabel = "TOPIC", description = "the topic")
    private String topic;

    @Override
    public Integer call() {
      return paging.printDevices(
          api,
          (c2, token) ->
              c2.c2()
                  .listTopicDevices(
                      ListTopicDevicesRequest.newBuilder()
                          .setTopic(topic)
                          .setPageSize(paging.pageSize())
                          .setPageToken(token)
                          .build()));
    }
  }
}
