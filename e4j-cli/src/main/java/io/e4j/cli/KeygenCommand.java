package io.e4j.cli;

import io.e4j.cli.internal.KeyFiles;
import io.e4j.core.Keys;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code e4 keygen}: new key files, as the reference's e4keygen writes them. */
@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    description = {
      "Write a new key to a file readable by its owner only; the public half of a key pair goes"
          + " to PATH.pub. Files hold the raw key bytes, like Teserakt's e4keygen."
    },
    footer = {
      "",
      "Examples:",
      "  e4 keygen --type symmetric --out meter-0042.key",
      "  e4 keygen --type ed25519 --out meter-0042.ed25519   (writes meter-0042.ed25519.pub too)",
      "  e4 keygen --type curve25519 --out c2.curve25519"
    })
final class KeygenCommand implements Callable<Integer> {
  /** The kinds of key, as the option spells them. */
  enum KeyType {
    symmetric,
    ed25519,
    curve25519
  }

  @Spec private CommandSpec spec;

  @Option(
      names = "--type",
      required = true,
      description = "symmetric (32 bytes), ed25519 (64-byte private key) or curve25519 (32 bytes)")
  private KeyType type;

  @Option(names = "--out", required = true, paramLabel = "PATH", description = "the key file")
  private Path out;

  @Option(names = "--force", description = "replace existing files")
  private boolean force;

  @Override
  public Integer call() {
    byte[] privateKey;
    byte[] publicKey = null;
    switch (type) {
      case symmetric -> privateKey = Keys.randomKey();
      case ed25519 -> {
        privateKey = Keys.newEd25519();
        publicKey = Keys.ed25519Public(privateKey);
      }
      default -> {
        privateKey = Keys.newCurve25519();
        publicKey = Keys.curve25519PublicFromPrivate(privateKey);
      }
    }
    try {
      KeyFiles.writePrivate(out, privateKey, force);
      if (publicKey != null) {
        KeyFiles.writePublic(publicFile(), publicKey, force);
      }
    } finally {
      Arrays.fill(privateKey, (byte) 0);
    }
    spec.commandLine()
        .getOut()
        .println(
            "wrote " + type + " key to " + out + (publicKey != null ? " and " + publicFile() : ""));
    return 0;
  }

  private Path publicFile() {
    return out.resolveSibling(out.getFileName() + ".pub");
  }
}
