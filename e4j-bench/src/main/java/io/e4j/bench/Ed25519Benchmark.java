package io.e4j.bench;

import io.e4j.core.Keys;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Raw Bouncy Castle Ed25519 on what a public-key E4 message with a 64-byte payload signs (40 bytes
 * of header and tag, 64 of ciphertext): the reference for PK protect and unprotect, whose cost and
 * allocation beyond these are E4's own.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class Ed25519Benchmark {
  private static final int SIGNED_LENGTH = 8 + 16 + 16 + 64;

  private byte[] privateKey;
  private byte[] publicKey;
  private Ed25519.PublicPoint decodedPublicKey;
  private byte[] signed;
  private byte[] signature;

  @Setup
  public void setUp() {
    privateKey = Keys.newEd25519();
    publicKey = Keys.ed25519Public(privateKey);
    decodedPublicKey = Ed25519.validatePublicKeyFullExport(publicKey, 0);
    signed = new byte[SIGNED_LENGTH];
    new Random(42).nextBytes(signed);
    signature = sign();
  }

  @Benchmark
  public byte[] sign() {
    byte[] out = new byte[Ed25519.SIGNATURE_SIZE];
    Ed25519.sign(privateKey, 0, publicKey, 0, signed, 0, signed.length, out, 0);
    return out;
  }

  /** Verification as most callers write it, decoding the public key every time. */
  @Benchmark
  public boolean verifyEncodedKey() {
    return Ed25519.verify(signature, 0, publicKey, 0, signed, 0, signed.length);
  }

  /** Verification with the key decoded once, as E4Client keeps its peers' keys. */
  @Benchmark
  public boolean verifyDecodedKey() {
    return Ed25519.verify(signature, 0, decodedPublicKey, signed, 0, signed.length);
  }
}
