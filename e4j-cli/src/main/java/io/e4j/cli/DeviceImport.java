package io.e4j.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.e4j.api.v1.CreateDeviceResult;
import io.e4j.api.v1.CreateDevicesRequest;
import io.e4j.api.v1.CreateDevicesResponse;
import io.e4j.api.v1.ErrorCode;
import io.e4j.api.v1.ItemError;
import io.e4j.cli.internal.C2Connection;
import io.e4j.cli.internal.CommandFailure;
import io.e4j.cli.internal.DeviceCsv;
import io.e4j.cli.internal.ExitCodes;
import io.e4j.cli.internal.Failure;
import io.e4j.cli.internal.GeneratedKeys;
import io.e4j.cli.internal.ImportProgress;
import io.e4j.cli.internal.Json;
import io.e4j.cli.internal.Terminals;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code e4 devices import}: creates the devices of a CSV file, in batches, resumably. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Create the devices listed in a CSV file, in batches (CreateDevices). The first line names"
          + " the columns: name (required), id (optional, 32 hex digits), and one credential"
          + " column: key (64 hex digits), password (16 characters or more) or public_key (64 hex"
          + " digits, public-key mode). Without a credential column C2 generates each device's"
          + " key, written to --keys-out (required then).",
      "",
      "Every line that fails (malformed, or refused by C2, e.g. because the device exists) is"
          + " reported as FILE:LINE: reason, and the import goes on; the exit status is 1 if any"
          + " line failed.",
      "",
      "The import records its progress next to the file (FILE.e4progress) after each batch: run"
          + " the same command again after an interruption and it resumes after the last batch"
          + " done; --restart ignores the record. The record is removed when the import ends."
    },
    footer = {
      "",
      "Examples:",
      "  e4 devices import fleet.csv            (fleet.csv: name,key / meter-0001,00ff...)",
      "  e4 devices import new-meters.csv --keys-out new-meters.keys.csv",
      "  e4 devices import fleet.csv --restart"
    })
final class DeviceImport implements Callable<Integer> {
  private static final int PERCENT_STEP = 10;
  private static final int MAX_BATCH = 1000;

  @Spec private CommandSpec spec;
  @Mixin private OperatorOptions api;

  @Parameters(paramLabel = "FILE", description = "the CSV file")
  private Path file;

  @Option(
      names = "--keys-out",
      paramLabel = "FILE",
      description = "where to write the keys C2 generates (a new owner-only CSV file)")
  private Path keysOut;

  @Option(names = "--restart", description = "start from the first line, ignoring FILE.e4progress")
  private boolean restart;

  @Option(names = "--replace", description = "replace the keys of devices that exist already")
  private boolean replace;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "500",
      description = "devices a call, 1 to 1000 (default: ${DEFAULT-VALUE})")
  private int batchSize;

  /** A line that failed, for the summary. */
  private record LineFailure(int line, String message) {}

  @Override
  public Integer call() {
    if (batchSize < 1 || batchSize > MAX_BATCH) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--batch-size must be 1 to " + MAX_BATCH + ", got " + batchSize);
    }
    Path progressFile = ImportProgress.fileFor(file);
    try (DeviceCsv csv = DeviceCsv.open(file, replace)) {
      boolean generating = csv.credential() == DeviceCsv.Credential.GENERATE;
      if (generating && keysOut == null) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            file
                + " has no key, password or public_key column, so C2 generates the keys:"
                + " add --keys-out FILE to keep them");
      }
      if (!generating && keysOut != null) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--keys-out is for files without a credential column");
      }
      Optional<ImportProgress> previous =
          restart ? Optional.empty() : ImportProgress.read(progressFile);
      if (previous.isPresent()) {
        resume(csv, previous.get(), progressFile);
      }
      try (GeneratedKeys keys =
              generating ? GeneratedKeys.open(keysOut, previous.isPresent()) : null;
          C2Connection c2 = api.connect()) {
        Run run = new Run(csv, keys, c2, progressFile, previous, display(lineCount()));
        run.all();
        Files.deleteIfExists(progressFile);
        return run.summary();
      }
    } catch (IOException e) {
      throw new CommandFailure(
          ExitCodes.FAILED, "cannot remove " + progressFile + ": " + e.getMessage());
    }
  }

  private void resume(DeviceCsv csv, ImportProgress progress, Path progressFile) {
    if (!csv.skipTo(progress.linesDone()) || !csv.digestSoFar().equals(progress.sha256())) {
      throw new CommandFailure(
          ExitCodes.FAILED,
          file
              + " is not the file whose import "
              + progressFile
              + " records (its first "
              + progress.linesDone()
              + " lines changed); check which devices exist, then run again with --restart");
    }
    api.note(
        "e4: resuming "
            + file
            + " after line "
            + progress.linesDone()
            + " ("
            + Text.count(progress.created())
            + " created, "
            + Text.count(progress.failed())
            + " failed before)");
  }

  private long lineCount() {
    try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
      return lines.count();
    } catch (IOException | java.io.UncheckedIOException e) {
      return 0;
    }
  }

  /** One pass over the file, from where the last one stopped. */
  private final class Run {
    private final DeviceCsv csv;
    private final GeneratedKeys keys;
    private final C2Connection c2;
    private final Path progressFile;
    private final Display display;
    // Lines a batch of the interrupted run covered, unanswered: their devices may exist already.
    private final int uncertainThrough;
    private final List<LineFailure> failures = new ArrayList<>();
    private ImportProgress recorded;
    private long created;
    private long failed;
    private long createdBefore;

    Run(
        DeviceCsv csv,
        GeneratedKeys keys,
        C2Connection c2,
        Path progressFile,
        Optional<ImportProgress> previous,
        Display display) {
      this.csv = csv;
      this.keys = keys;
      this.c2 = c2;
      this.progressFile = progressFile;
      this.display = display;
      this.recorded =
          previous.orElse(new ImportProgress(csv.lineNumber(), csv.digestSoFar(), 0, 0, 0));
      this.uncertainThrough = recorded.sentThrough();
      this.created = recorded.created();
      this.failed = recorded.failed();
    }

    void all() {
      try (display) {
        boolean more = true;
        while (more) {
          List<DeviceCsv.Entry> batch = new ArrayList<>(batchSize);
          Optional<DeviceCsv.Line> line = Optional.empty();
          while (batch.size() < batchSize && (line = csv.next()).isPresent()) {
            if (line.get() instanceof DeviceCsv.Problem problem) {
              fail(problem.number(), problem.message());
            } else {
              batch.add((DeviceCsv.Entry) line.get());
            }
          }
          more = line.isPresent();
          if (!batch.isEmpty()) {
            recorded.sending(csv.lineNumber()).write(progressFile);
            send(batch);
          }
          recorded = new ImportProgress(csv.lineNumber(), csv.digestSoFar(), created, failed, 0);
          recorded.write(progressFile);
          display.reached(csv.lineNumber());
        }
      }
      if (createdBefore > 0) {
        api.note(
            "e4: "
                + Text.count(createdBefore)
                + " device(s) up to line "
                + uncertainThrough
                + " existed already: the interrupted import had sent them, and they count as"
                + " created");
      }
    }

    private void send(List<DeviceCsv.Entry> batch) {
      CreateDevicesResponse response;
      try {
        response =
            c2.c2()
                .createDevices(
                    CreateDevicesRequest.newBuilder()
                        .addAllDevices(batch.stream().map(DeviceCsv.Entry::request).toList())
                        .build());
      } catch (StatusRuntimeException e) {
        Failure failure = Failure.of(e);
        throw new CommandFailure(
            failure.exitCode(),
            failure.message()
                + "; the import stopped before line "
                + batch.get(0).number()
                + " ("
                + Text.count(recorded.created())
                + " created so far): run the same command again to resume");
      }
      boolean[] answered = new boolean[batch.size()];
      for (CreateDeviceResult result : response.getResultsList()) {
        if (result.getIndex() < 0 || result.getIndex() >= batch.size()) {
          continue;
        }
        answered[result.getIndex()] = true;
        DeviceCsv.Entry entry = batch.get(result.getIndex());
        if (result.hasCreated()) {
          created++;
          if (keys != null) {
            keys.add(
                entry.request().getDevice().getName(),
                result.getCreated().getDevice().getId(),
                result.getCreated().getGeneratedKey().toByteArray());
          }
        } else {
          refused(entry, result.getError());
        }
      }
      for (int index = 0; index < answered.length; index++) {
        if (!answered[index]) {
          fail(batch.get(index).number(), "C2 did not answer for this line");
        }
      }
      if (keys != null) {
        keys.sync();
      }
    }

    private void refused(DeviceCsv.Entry entry, ItemError error) {
      boolean sentBefore =
          error.getCode() == ErrorCode.ALREADY_EXISTS && entry.number() <= uncertainThrough;
      if (sentBefore && keys == null) {
        created++;
        createdBefore++;
      } else if (sentBefore) {
        fail(
            entry.number(),
            "created by the interrupted import, whose answer with the generated key was lost:"
                + " give it a new key with e4 devices create "
                + entry.request().getDevice().getName()
                + " --replace --generate");
      } else {
        fail(
            entry.number(),
            error.getMessage().isEmpty()
                ? error.getCode().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                : error.getMessage());
      }
    }

    private void fail(int line, String message) {
      failed++;
      failures.add(new LineFailure(line, message));
      api.note(file + ":" + line + ": " + message);
    }

    int summary() {
      if (api.json()) {
        ObjectNode document = Json.object();
        document.put("file", file.toString());
        document.put("created", created);
        document.put("failed", failed);
        ArrayNode lines = document.putArray("failures");
        failures.forEach(f -> lines.addObject().put("line", f.line()).put("message", f.message()));
        api.print(document);
      } else {
        api.say(Text.count(created) + " created, " + Text.count(failed) + " failed");
      }
      return failed == 0 ? ExitCodes.OK : ExitCodes.FAILED;
    }
  }

  private Display display(long lines) {
    long total = Math.max(lines - 1, 0);
    if (Terminals.standardErrorIsTerminal()) {
      ProgressBar bar =
          new ProgressBarBuilder()
              .setTaskName("import")
              .setInitialMax(total)
              .setUnit(" lines", 1)
              .build();
      return new Display() {
        @Override
        public void reached(int lineNumber) {
          bar.stepTo(lineNumber - 1L);
        }

        @Override
        public void close() {
          bar.close();
        }
      };
    }
    return new PercentLines(api.err(), file, total);
  }

  /** Shows how far the import got. */
  private interface Display extends AutoCloseable {
    void reached(int lineNumber);

    @Override
    void close();
  }

  /** For logs and pipes: a line each time another tenth of the file is done. */
  private static final class PercentLines implements Display {
    private final PrintWriter err;
    private final Path file;
    private final long total;
    private long shown;

    PercentLines(PrintWriter err, Path file, long total) {
      this.err = err;
      this.file = file;
      this.total = total;
    }

    @Override
    public void reached(int lineNumber) {
      if (total == 0) {
        return;
      }
      long done = lineNumber - 1L;
      long percent = Math.min(100, done * 100 / total) / PERCENT_STEP * PERCENT_STEP;
      if (percent > shown) {
        shown = percent;
        err.println(
            file
                + ": "
                + percent
                + "% ("
                + Text.count(done)
                + " of "
                + Text.count(total)
                + " lines)");
        err.flush();
      }
    }

    @Override
    public void close() {}
  }
}
