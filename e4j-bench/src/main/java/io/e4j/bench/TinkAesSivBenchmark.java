package io.e4j.bench;

import com.google.crypto.tink.subtle.AesSiv;
import java.security.GeneralSecurityException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The anchor: Google Tink's AES-SIV with a 64-byte key and an 8-byte associated data string,
 * exactly the work of an E4 symmetric-key protect without the E4 framing.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TinkAesSivBenchmark {
  @Param({"64", "1024", "65536"})
  public int payloadSize;

  private AesSiv siv;
  private byte[] payload;
  private byte[] associatedData;
  private byte[] ciphertext;

  @Setup
  public void setUp() throws GeneralSecurityException {
    Random random = new Random(42);
    byte[] key = new byte[64];
    random.nextBytes(key);
    siv = new AesSiv(key);
    payload = new byte[payloadSize];
    random.nextBytes(payload);
    associatedData = new byte[8];
    ciphertext = siv.encryptDeterministically(payload, associatedData);
  }

  @Benchmark
  public byte[] seal() throws GeneralSecurityException {
    return siv.encryptDeterministically(payload, associatedData);
  }

  @Benchmark
  public byte[] open() throws GeneralSecurityException {
    return siv.decryptDeterministically(ciphertext, associatedData);
  }
}
