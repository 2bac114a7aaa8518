package io.e4j.cli;

import io.e4j.api.v1.CreateTokenRequest;
import io.e4j.api.v1.CreateTokenResponse;
import io.e4j.api.v1.ListTokensRequest;
import io.e4j.api.v1.ListTokensResponse;
import io.e4j.api.v1.RevokeTokenRequest;
import io.e4j.api.v1.Role;
import io.e4j.api.v1.TokenInfo;
import io.e4j.cli.internal.C2Connection;
import io.e4j.cli.internal.CommandFailure;
import io.e4j.cli.internal.ExitCodes;
import io.e4j.cli.internal.OwnerOnlyFiles;
import io.e4j.cli.internal.Table;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code e4 token}: API tokens (admin). */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = {
      "Create, list and revoke API tokens (admin).",
      "",
      "A token's secret is shown once, when it is created; C2 keeps only its hash."
    },
    footer = {
      "",
      "Examples:",
      "  e4 token create --role operator --name ops-bot --token-out ops-bot.token",
      "  e4 token list",
      "  e4 token revoke ops-bot"
    },
    subcommands = {
      TokenCommand.Create.class,
      TokenCommand.ListTokens.class,
      TokenCommand.Revoke.class
    })
final class TokenCommand {
  private TokenCommand() {}

  /** The roles, as the option spells them. */
  enum RoleName {
    viewer(Role.VIEWER),
    operator(Role.OPERATOR),
    admin(Role.ADMIN);

    private final Role role;

    RoleName(Role role) {
      this.role = role;
    }
  }

  /** {@code e4 token create}. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Create a token: viewer reads; operator also changes devices, topics, links and public"
            + " keys; admin may do everything. The secret is printed once (or written to"
            + " --token-out, owner-only, and not printed)."
      },
      footer = {
        "",
        "Examples:",
        "  e4 token create --role viewer --name dashboard",
        "  e4 token create --role operator --name ops-bot --token-out ops-bot.token"
      })
  static final class Create implements Callable<Integer> {
    @Mixin private OperatorOptions api;

    @Option(names = "--name", required = true, description = "the token's name")
    private String name;

    @Option(names = "--role", required = true, description = "viewer, operator or admin")
    private RoleName role;

    @Option(
        names = "--token-out",
        paramLabel = "FILE",
        description = "write the secret to FILE (a new owner-only file) instead of printing it")
    private Path tokenOut;

    @Override
    public Integer call() {
      CreateTokenResponse created;
      try (C2Connection c2 = api.connect()) {
        created =
            c2.c2()
                .createToken(
                    CreateTokenRequest.newBuilder().setName(name).setRole(role.role).build());
      }
      if (tokenOut != null) {
        writeOwnerOnly(tokenOut, created.getToken());
        created = created.toBuilder().clearToken().build();
      }
      if (api.json()) {
        api.print(created);
        return ExitCodes.OK;
      }
      api.say(
          "created token "
              + created.getInfo().getName()
              + " ("
              + created.getInfo().getRole()
              + ")");
      if (tokenOut != null) {
        api.say("its secret is in " + tokenOut);
      } else {
        api.say("its secret, shown only now:");
        api.say(created.getToken());
      }
      return ExitCodes.OK;
    }

    private static void writeOwnerOnly(Path file, String token) {
      try (FileChannel channel =
          FileChannel.open(
              file,
              Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              OwnerOnlyFiles.attributes())) {
        ByteBuffer bytes = ByteBuffer.wrap((token + "\n").getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      } catch (FileAlreadyExistsException e) {
        throw new CommandFailure(
            ExitCodes.FAILED,
            file
                + " exists already; the token was created: revoke it, or remove the file and"
                + " create another");
      } catch (IOException e) {
        throw new CommandFailure(
            ExitCodes.FAILED,
            "cannot write " + file + ": " + e.getMessage() + "; the token was created: revoke it");
      }
    }
  }

  /** {@code e4 token list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the tokens: name, role, creation time (never their secrets).",
      footer = {"", "Examples:", "  e4 token list", "  e4 token list -o json"})
  static final class ListTokens implements Callable<Integer> {
    @Mixin private OperatorOptions api;

    @Override
    public Integer call() {
      ListTokensResponse tokens;
      try (C2Connection c2 = api.connect()) {
        tokens = c2.c2().listTokens(ListTokensRequest.getDefaultInstance());
      }
      if (api.json()) {
        api.print(tokens);
        return ExitCodes.OK;
      }
      Table table = Table.withColumns("NAME", "ROLE", "CREATED");
      for (TokenInfo token : tokens.getTokensList()) {
        table.row(token.getName(), token.getRole(), Text.time(token.getCreatedAt()));
      }
      api.print(table);
      return ExitCodes.OK;
    }
  }

  /** {@code e4 token revoke}. */
  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Revoke a token at once (other C2 nodes stop accepting it within seconds).",
      footer = {"", "Example:", "  e4 token revoke ops-bot"})
  static final class Revoke implements Callable<Integer> {
    @Mixin private OperatorOptions api;

    @Parameters(paramLabel = "NAME", description = "the token's name")
    private String name;

    @Override
    public Integer call() {
      try (C2Connection c2 = api.connect()) {
        api.printOrSay(
            c2.c2().revokeToken(RevokeTokenRequest.newBuilder().setName(name).build()),
            "revoked token " + name);
      }
      return ExitCodes.OK;
    }
  }
}
