package io.e4j.cli;

import io.e4j.api.v1.AuditRecord;
import io.e4j.api.v1.ListAuditRequest;
import io.e4j.api.v1.ListAuditResponse;
import io.e4j.cli.internal.C2Connection;
import io.e4j.cli.internal.ExitCodes;
import io.e4j.cli.internal.Table;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code e4 audit}: who called what, allowed or not. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = {
      "List audit records, newest first.",
      "",
      "Every mutating call, allowed or not, with its caller, target and outcome."
    },
    footer = {
      "",
      "Examples:",
      "  e4 audit",
      "  e4 audit --actor ops-bot --limit 200 -o json",
      "  e4 audit --before 1042"
    })
final class AuditCommand implements Callable<Integer> {
  @Mixin private OperatorOptions api;

  @Option(names = "--actor", paramLabel = "NAME", description = "only this token's records")
  private String actor = "";

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "50",
      description = "how many records (default: ${DEFAULT-VALUE})")
  private int limit;

  @Option(
      names = "--before",
      paramLabel = "ID",
      defaultValue = "0",
      description = "only records older than this ID (the next page of a previous listing)")
  private long before;

  @Override
  public Integer call() {
    ListAuditResponse audit;
    try (C2Connection c2 = api.connect()) {
      audit =
          c2.c2()
              .listAudit(
                  ListAuditRequest.newBuilder()
                      .setActor(actor)
                      .setLimit(limit)
                      .setBefore(before)
                      .build());
    }
    if (api.json()) {
      api.print(audit);
      return ExitCodes.OK;
    }
    Table table =
        Table.withColumns("ID", "TIME", "ACTOR", "ROLE", "ACTION", "TARGET", "OUTCOME", "DETAIL");
    for (AuditRecord record : audit.getRecordsList()) {
      table.row(
          record.getId(),
          Text.time(record.getTime()),
          record.getActor(),
          record.getRole(),
          record.getAction(),
          record.getTarget(),
          record.getOutcome(),
          record.getDetail());
    }
    api.print(table);
    if (audit.getRecordsCount() == limit && limit > 0) {
      api.note(
          "e4: older records: add --before "
              + audit.getRecords(audit.getRecordsCount() - 1).getId());
    }
    return ExitCodes.OK;
  }
}
