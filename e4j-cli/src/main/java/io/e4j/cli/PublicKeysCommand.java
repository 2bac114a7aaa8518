package io.e4j.cli;

import io.e4j.api.v1.DeviceRef;
import io.e4j.api.v1.ListPublicKeysRequest;
import io.e4j.api.v1.RemovePublicKeyRequest;
import io.e4j.api.v1.ResetPublicKeysRequest;
import io.e4j.api.v1.SendPublicKeyRequest;
import io.e4j.cli.internal.C2Connection;
import io.e4j.cli.internal.DeviceRefs;
import io.e4j.cli.internal.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code e4 pubkeys}: which devices' public keys a device holds (public-key mode). */
@Command(
    name = "pubkeys",
    mixinStandardHelpOptions = true,
    description = {
      "Public-key mode: which devices' public keys each device holds.",
      "",
      "Send a device (the HOLDER) the public key of another (the SUBJECT), so that it accepts"
          + " the subject's messages; remove them; list what a holder holds."
    },
    footer = {
      "",
      "Examples:",
      "  e4 pubkeys send meter-0042 gateway-1",
      "  e4 pubkeys list gateway-1 --all"
    },
    subcommands = {
      PublicKeysCommand.Send.class,
      PublicKeysCommand.Remove.class,
      PublicKeysCommand.Reset.class,
      PublicKeysCommand.ListKeys.class
    })
final class PublicKeysCommand {
  private PublicKeysCommand() {}

  /** {@code e4 pubkeys send}. */
  @Command(
      name = "send",
      mixinStandardHelpOptions = true,
      description = "Send SUBJECT's public key to HOLDER (SetPubKey).",
      footer = {"", "Example:", "  e4 pubkeys send meter-0042 gateway-1"})
  static final class Send implements Callable<Integer> {
    @Mixin private OperatorOptions api;

    @Parameters(
        index = "0",
        paramLabel = "SUBJECT",
        converter = DeviceRefs.class,
        description = "the device whose key is sent")
    private DeviceRef subject;

    @Parameters(
        index = "1",
        paramLabel = "HOLDER",
        converter = DeviceRefs.class,
        description = "the device that receives it")
    private DeviceRef holder;

    @Override
    public Integer call() {
      try (C2Connection c2 = api.connect()) {
        api.printOrSay(
            c2.c2()
                .sendPublicKey(
                    SendPublicKeyRequest.newBuilder()
                        .setSubject(subject)
                        .setHolder(holder)
                        .build()),
            "public key of "
                + DeviceRefs.show(subject)
                + " on its way to "
                + DeviceRefs.show(holder));
      }
      return ExitCodes.OK;
    }
  }

  /** {@code e4 pubkeys remove}. */
  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description = "Tell HOLDER to forget SUBJECT's public key (RemovePubKey).",
      footer = {"", "Example:", "  e4 pubkeys remove meter-0042 gateway-1"})
  static final class Remove implements Callable<Integer> {
    @Mixin private OperatorOptions api;

    @Parameters(
        index = "0",
        paramLabel = "SUBJECT",
        converter = DeviceRefs.class,
        description = "the device whose key is removed")
    private DeviceRef subject;

    @Parameters(
        index = "1",
        paramLabel = "HOLDER",
        converter = DeviceRefs.class,
        description = "the device that holds it")
    private DeviceRef holder;

    @Override
    public Integer call() {
      try (C2Connection c2 = api.connect()) {
        api.printOrSay(
            c2.c2()
                .removePublicKey(
                    RemovePublicKeyRequest.newBuilder()
                        .setSubject(subject)
                        .setHolder(holder)
                        .build()),
            DeviceRefs.show(holder)
                + " told to forget the public key of "
                + DeviceRefs.show(subject));
      }
      return ExitCodes.OK;
    }
  }

  /** {@code e4 pubkeys reset}. */
  @Command(
      name = "reset",
      mixinStandardHelpOptions = true,
      description = "Tell HOLDER to forget every public key it holds (ResetPubKeys).",
      footer = {"", "Example:", "  e4 pubkeys reset gateway-1"})
  static final class Reset implements Callable<Integer> {
    @Mixin private OperatorOptions api;

    @Parameters(paramLabel = "HOLDER", converter = DeviceRefs.class, description = "the device")
    private DeviceRef holder;

    @Override
    public Integer call() {
      try (C2Connection c2 = api.connect()) {
        api.printOrSay(
            c2.c2().resetPublicKeys(ResetPublicKeysRequest.newBuilder().setHolder(holder).build()),
            DeviceRefs.show(holder) + " told to forget every public key");
      }
      return ExitCodes.OK;
    }
  }

  /** {@code e4 pubkeys list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the devices whose public keys HOLDER has been sent, in ID order.",
      footer = {"", "Example:", "  e4 pubkeys list gateway-1 --all"})
  static final class ListKeys implements Callable<Integer> {
    @Mixin private OperatorOptions api;
    @Mixin private Paging paging;

    @Parameters(paramLabel = "HOLDER", converter = DeviceRefs.class, description = "the device")
    private DeviceRef holder;

    @Override
    public Integer call() {
      return paging.printDevices(
          api,
          (c2, token) ->
              c2.c2()
                  .listPublicKeys(
                      ListPublicKeysRequest.newBuilder()
                          .setHolder(holder)
                          .setPageSize(paging.pageSize())
                          .setPageToken(token)
                          .build()));
    }
  }
}
