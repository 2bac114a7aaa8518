package io.e4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.e4j.api.v1.CreateDeviceRequest;
import io.e4j.api.v1.CreateDeviceResponse;
import io.e4j.api.v1.Delivery;
import io.e4j.api.v1.DeviceRef;
import io.e4j.api.v1.GetDeviceRequest;
import io.e4j.api.v1.GetDeviceResponse;
import io.e4j.api.v1.GetDeviceStatusRequest;
import io.e4j.api.v1.GetDeviceStatusResponse;
import io.e4j.api.v1.ListDeliveriesRequest;
import io.e4j.api.v1.ListDeliveriesResponse;
import io.e4j.api.v1.ListDeviceTopicsRequest;
import io.e4j.api.v1.ListDevicesRequest;
import io.e4j.api.v1.NewDeviceKeyRequest;
import io.e4j.api.v1.RemoveDeviceRequest;
import io.e4j.api.v1.ResetDeviceRequest;
import io.e4j.api.v1.ResyncDeviceRequest;
import io.e4j.api.v1.TopicLag;
import io.e4j.cli.internal.C2Connection;
import io.e4j.cli.internal.DeviceRefs;
import io.e4j.cli.internal.ExitCodes;
import io.e4j.cli.internal.Json;
import io.e4j.cli.internal.KeyFiles;
import io.e4j.cli.internal.Table;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code e4 devices}: the devices C2 knows. */
@Command(
    name = "devices",
    mixinStandardHelpOptions = true,
    description = {
      "Create, provision, list, inspect, re-key and import the devices C2 knows, and issue"
          + " broker credentials to those that cannot derive one.",
      "",
      "DEVICE is a name, or id: and the device's 32-hex-digit ID."
    },
    footer = {
      "",
      "Examples:",
      "  e4 devices create meter-0042 --key-file meter-0042.key",
      "  e4 devices provision alice --out alice.e4",
      "  e4 devices list --prefix meter- --all",
      "  e4 devices show id:00112233445566778899aabbccddeeff",
      "  e4 devices import fleet.csv",
      "  e4 devices broker-credential meter-0042 --out meter-0042.broker-password"
    },
    subcommands = {
      DevicesCommand.Create.class,
      DeviceProvision.class,
      DevicesCommand.Remove.class,
      DevicesCommand.ListDevices.class,
      DevicesCommand.Show.class,
      DevicesCommand.NewKey.class,
      DevicesCommand.Reset.class,
      DevicesCommand.Resync.class,
      DevicesCommand.Topics.class,
      DeviceBrokerCredential.class,
      DeviceImport.class
    })
final class DevicesCommand {
  private static final int DELIVERIES_SHOWN = 10;
  private static final int TOPICS_BEHIND_SHOWN = 20;

  private DevicesCommand() {}

  /** {@code e4 devices create}. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Store a device and its key in C2. No command is sent: the device was provisioned with"
            + " that key. In symmetric-key mode give its key (or password); in public-key mode its"
            + " Ed25519 public key; or let C2 generate a key (shown once)."
      },
      footer = {
        "",
        "Examples:",
        "  e4 keygen --type symmetric --out meter-0042.key",
        "  e4 devices create meter-0042 --key-file meter-0042.key",
        "  E4_DEVICE_PASSWORD=... e4 devices create meter-0043 --password-env E4_DEVICE_PASSWORD",
        "  e4 devices create meter-0044 --generate --key-out meter-0044.key",
        "  e4 devices create meter-0045 --public-key-file meter-0045.ed25519.pub"
      })
  static final class Create implements Callable<Integer> {
    @Spec private CommandSpec spec;
    @Mixin private OperatorOptions api;

    @Parameters(index = "0", paramLabel = "NAME", description = "the device's name")
    private String name;

    @Option(
        names = "--id",
        paramLabel = "HEX",
        description = "its ID, 32 hex digits (default: the one E4 derives from the name)")
    private String id;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Credential credential;

    /** Exactly one way to give the device's key. */
    static final class Credential {
      @Option(names = "--key-file", paramLabel = "FILE", description = "a 32-byte key file")
      Path keyFile;

      @Option(names = "--key", paramLabel = "HEX", description = "the key, 64 hex digits")
      String key;

      @Option(
          names = "--password-env",
          paramLabel = "VARIABLE",
          description = "environment variable holding the device's password (16 characters+)")
      String passwordVariable;

      @Option(
          names = "--public-key",
          paramLabel = "HEX",
          description = "its Ed25519 public key, 64 hex digits (public-key mode)")
      String publicKey;

      @Option(
          names = "--public-key-file",
          paramLabel = "FILE",
          description = "a 32-byte Ed25519 public key file, as e4 keygen writes NAME.pub")
      Path publicKeyFile;

      @Option(names = "--generate", description = "let C2 generate the key")
      boolean generate;
    }

    @Option(
        names = "--key-out",
        paramLabel = "FILE",
        description = "with --generate: write the key there (owner-only) instead of printing it")
    private Path keyOut;

    @Option(names = "--replace", description = "replace the key of a device that exists already")
    private boolean replace;

    @Override
    public Integer call() {
      if (keyOut != null && !credential.generate) {
        throw usage("--key-out goes with --generate");
      }
      DeviceRef.Builder device = DeviceRef.newBuilder().setName(name);
      if (id != null) {
        device.setId(hexArgument(() -> DeviceRefs.deviceId(id)));
      }
      CreateDeviceRequest request =
          credential(CreateDeviceRequest.newBuilder())
              .setDevice(device)
              .setReplace(replace)
              .build();
      CreateDeviceResponse created;
      try (C2Connection c2 = api.connect()) {
        created = c2.c2().createDevice(request);
      }
      String generated = HexFormat.of().formatHex(created.getGeneratedKey().toByteArray());
      if (keyOut != null) {
        KeyFiles.writePrivate(keyOut, created.getGeneratedKey().toByteArray(), false);
        created = created.toBuilder().clearGeneratedKey().build();
      }
      if (api.json()) {
        api.print(created);
        return ExitCodes.OK;
      }
      api.say(
          (replace ? "stored device " : "created device ")
              + Render.device(created.getDevice())
              + " (id "
              + created.getDevice().getId()
              + ")");
      if (keyOut != null) {
        api.say("generated key written to " + keyOut);
      } else if (credential.generate) {
        api.say("generated key (shown once): " + generated);
      }
      return ExitCodes.OK;
    }

    private CreateDeviceRequest.Builder credential(CreateDeviceRequest.Builder request) {
      if (credential.keyFile != null) {
        return request.setKey(ByteString.copyFrom(KeyFiles.read(credential.keyFile, 32, "key")));
      }
      if (credential.key != null) {
        return request.setKey(hexKey("--key", credential.key));
      }
      if (credential.publicKey != null) {
        return request.setPublicKey(hexKey("--public-key", credential.publicKey));
      }
      if (credential.publicKeyFile != null) {
        return request.setPublicKey(
            ByteString.copyFrom(KeyFiles.read(credential.publicKeyFile, 32, "Ed25519 public key")));
      }
      if (credential.passwordVariable != null) {
        String password = api.environment().get(credential.passwordVariable);
        if (password == null || password.isEmpty()) {
          throw usage("the environment variable " + credential.passwordVariable + " is not set");
        }
        return request.setPassword(password);
      }
      return request.setGenerate(true);
    }

    private ByteString hexKey(String option, String hex) {
      String digits = hex.strip();
      if (!digits.matches("[0-9a-fA-F]{64}")) {
        throw usage(option + ": expected 64 hex digits (32 bytes)");
      }
      return ByteString.copyFrom(HexFormat.of().parseHex(digits));
    }

    private String hexArgument(java.util.function.Supplier<String> parse) {
      try {
        return parse.get();
      } catch (IllegalArgumentException e) {
        throw usage("--id: " + e.getMessage());
      }
    }

    private CommandLine.ParameterException usage(String message) {
      return new CommandLine.ParameterException(spec.commandLine(), message);
    }
  }

  /** {@code e4 devices remove}. */
  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description = "Forget a device; its undelivered commands are cancelled.",
      footer = {"", "Example:", "  e4 devices remove meter-0042"})
  static final class Remove implements Callable<Integer> {
    @Mixin private OperatorOptions api;

    @Parameters(paramLabel = "DEVICE", converter = DeviceRefs.class, description = "the device")
    private DeviceRef device;

    @Override
    public Integer call() {
      try (C2Connection c2 = api.connect()) {
        api.printOrSay(
            c2.c2().removeDevice(RemoveDeviceRequest.newBuilder().setDevice(device).build()),
            "removed device " + DeviceRefs.show(device));
      }
      return ExitCodes.OK;
    }
  }

  /** {@code e4 devices list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "List devices in name order, one page at a time (100 by default); the next page's token"
            + " is printed on standard error, or is nextPageToken in JSON."
      },
      footer = {
        "",
        "Examples:",
        "  e4 devices list",
        "  e4 devices list --prefix meter- --page-size 1000 --all",
        "  e4 devices list --page-token CgltZXRlci0wMDQy -o json"
      })
  static final class ListDevices implements Callable<Integer> {
    @Mixin private OperatorOptions api;
    @Mixin private Paging paging;

    @Option(names = "--prefix", paramLabel = "P", description = "only names starting with P")
    private String prefix = "";

    @Override
    public Integer call() {
      return paging.printDevices(
          api,
          (c2, token) ->
              c2.c2()
                  .listDevices(
                      ListDevicesRequest.newBuilder()
                          .setNamePrefix(prefix)
                          .setPageSize(paging.pageSize())
                          .setPageToken(token)
                          .build()));
    }
  }

  /** {@code e4 devices show}. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description =
          "Show a device: when it was last seen, whether it holds its topics' current keys (e4j"
              + " devices report them), and its latest commands with their delivery status"
              + " (PENDING, SENT: the broker took it, CONFIRMED: the device reported applying it,"
              + " FAILED, CANCELLED).",
      footer = {
        "",
        "Examples:",
        "  e4 devices show meter-0042",
        "  e4 devices show meter-0042 -o json"
      })
  static final class Show implements Callable<Integer> {
    @Mixin private OperatorOptions api;

    @Parameters(paramLabel = "DEVICE", converter = DeviceRefs.class, description = "the device")
    private DeviceRef device;

    @Option(
        names = "--deliveries",
        paramLabel = "N",
        description = "how many of the latest commands to show (default: 10)")
    private int deliveries = DELIVERIES_SHOWN;

    @Override
    public Integer call() {
      GetDeviceResponse found;
      GetDeviceStatusResponse status;
      ListDeliveriesResponse latest;
      try (C2Connection c2 = api.connect()) {
        found = c2.c2().getDevice(GetDeviceRequest.newBuilder().setDevice(device).build());
        status =
            c2.c2()
                .getDeviceStatus(
                    GetDeviceStatusRequest.newBuilder()
                        .setDevice(device)
                        .setBehindLimit(TOPICS_BEHIND_SHOWN)
                        .build());
        latest =
            c2.c2()
                .listDeliveries(
                    ListDeliveriesRequest.newBuilder()
                        .setDevice(device)
                        .setLimit(deliveries)
                        .build());
      }
      if (api.json()) {
        ObjectNode document = Json.object();
        document.set("device", Json.node(found.getDevice()));
        document.put("topicCount", found.getTopicCount());
        document.set("status", Json.node(status));
        document.set("deliveries", Json.node(latest).get("deliveries"));
        api.print(document);
        return ExitCodes.OK;
      }
      io.e4j.api.v1.Device shown = found.getDevice();
      Table properties = Table.withColumns("DEVICE", Render.device(shown));
      properties.row("id", shown.getId());
      if (!shown.getPublicKey().isEmpty()) {
        properties.row("public key", shown.getPublicKey());
      }
      properties.row("created", Text.time(shown.getCreatedAt()));
      properties.row("updated", Text.time(shown.getUpdatedAt()));
      properties.row("topics", Text.count(found.getTopicCount()));
      properties.row("last seen", Text.time(status.getLastSeen()));
      properties.row(
          "reports keys",
          status.hasLastReport()
              ? "yes, last " + Text.time(status.getLastReport())
              : "no (not an e4j device, or not connected since it was created)");
      if (status.hasLastReport()) {
        properties.row(
            "on current keys",
            Text.count(status.getTopicsOnCurrentKey())
                + " of "
                + Text.count(status.getLinkedTopics())
                + " topics"
                + (status.getOwnKeyCurrent() ? "" : "; its own key is not C2's current one"));
      }
      if (status.hasStaleSince()) {
        properties.row("stale since", Text.time(status.getStaleSince()));
      }
      properties.row("unsent commands", Text.count(status.getUnsentCommands()));
      properties.row(
          "broker credential",
          status.hasBrokerCredentialIssuedAt()
              ? "issued " + Text.time(status.getBrokerCredentialIssuedAt())
              : "none issued (e4j devices log in with the password derived from their key)");
      api.print(properties);
      if (status.hasLastReport() && status.getBehindCount() > 0) {
        api.say("");
        Table behind = Table.withColumns("TOPIC BEHIND", "CURRENT VERSION", "HOLDS", "DUE SINCE");
        for (TopicLag lag : status.getBehindList()) {
          behind.row(
              lag.getTopic(),
              lag.getCurrentVersion(),
              lag.getConfirmedVersion() == 0 ? "" : lag.getConfirmedVersion(),
              Text.time(lag.getDueSince()));
        }
        api.print(behind);
      }
      api.say("");
      Table commands =
          Table.withColumns(
              "POSITION", "COMMAND", "STATUS", "ATTEMPTS", "CREATED", "SENT", "ERROR");
      for (Delivery delivery : latest.getDeliveriesList()) {
        commands.row(
            delivery.getPosition(),
            delivery.getCommand(),
            delivery.getStatus(),
            delivery.getAttempts(),
            Text.time(delivery.getCreatedAt()),
            Text.time(delivery.getSentAt()),
            delivery.getLastError());
      }
      api.print(commands);
      return ExitCodes.OK;
    }
  }

  /** {@code e4 devices new-key}. */
  @Command(
      name = "new-key",
      mixinStandardHelpOptions = true,
      description = "Give a device a new random key, sent to it under its old one (SetIDKey).",
      footer = {"", "Example:", "  e4 devices new-key meter-0042"})
  static final class NewKey implements Callable<Integer> {
    @Mixin private OperatorOptions api;

    @Parameters(paramLabel = "DEVICE", converter = DeviceRefs.class, description = "the device")
    private DeviceRef device;

    @Override
    public Integer call() {
      try (C2Connection c2 = api.connect()) {
        api.printOrSay(
            c2.c2().newDeviceKey(NewDeviceKeyRequest.newBuilder().setDevice(device).build()),
            "new key for " + DeviceRefs.show(device) + " on its way to the device");
      }
      return ExitCodes.OK;
    }
  }

  /** {@code e4 devices reset}. */
  @Command(
      name = "reset",
      mixinStandardHelpOptions = true,
      description =
          "Unlink a device from every topic and tell it to forget every topic key"
              + " (ResetTopics).",
      footer = {"", "Example:", "  e4 devices reset meter-0042"})
  static final class Reset implements Callable<Integer> {
    @Mixin private OperatorOptions api;

    @Parameters(paramLabel = "DEVICE", converter = DeviceRefs.class, description = "the device")
    private DeviceRef device;

    @Override
    public Integer call() {
      try (C2Connection c2 = api.connect()) {
        api.printOrSay(
            c2.c2().resetDevice(ResetDeviceRequest.newBuilder().setDevice(device).build()),
            "reset " + DeviceRefs.show(device) + ": unlinked from every topic");
      }
      return ExitCodes.OK;
    }
  }

  /** {@code e4 devices resync}. */
  @Command(
      name = "resync",
      mixinStandardHelpOptions = true,
      description = "Send a device its whole key set again (after it lost its state, for example).",
      footer = {"", "Example:", "  e4 devices resync meter-0042"})
  static final class Resync implements Callable<Integer> {
    @Mixin private OperatorOptions api;

    @Parameters(paramLabel = "DEVICE", converter = DeviceRefs.class, description = "the device")
    private DeviceRef device;

    @Override
    public Integer call() {
      try (C2Connection c2 = api.connect()) {
        api.printOrSay(
            c2.c2().resyncDevice(ResyncDeviceRequest.newBuilder().setDevice(device).build()),
            "key set of " + DeviceRefs.show(device) + " on its way to the device");
      }
      return ExitCodes.OK;
    }
  }

  /** {@code e4 devices topics}. */
  @Command(
      name = "topics",
      mixinStandardHelpOptions = true,
      description = "List the topics a device is linked to, in name order.",
      footer = {
        "",
        "Examples:",
        "  e4 devices topics meter-0042",
        "  e4 devices topics meter-0042 --all -o json"
      })
  static final class Topics implements Callable<Integer> {
    @Mixin private OperatorOptions api;
    @Mixin private Paging paging;

    @Parameters(paramLabel = "DEVICE", converter = DeviceRefs.class, description = "the device")
    private DeviceRef device;

    @Override
    public Integer call() {
      return paging.printTopics(
          api,
          (c2, token) ->
              c2.c2()
                  .listDeviceTopics(
                      ListDeviceTopicsRequest.newBuilder()
                          .setDevice(device)
                          .setPageSize(paging.pageSize())
                          .setPageToken(token)
                          .build()));
    }
  }
}
