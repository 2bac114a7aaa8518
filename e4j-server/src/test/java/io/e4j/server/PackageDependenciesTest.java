package io.e4j.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.e4j.server.internal.journal.Journal;
import io.e4j.server.internal.store.Database;
import org.jdbi.v3.core.Handle;

/**
 * The layering of e4j-server, and the rules that keep one path for each kind of change: the API
 * types in {@code io.e4j.server} use nothing else of the server; {@code io.e4j.server.node}
 * assembles the internals; no package cycle; the audit log has one writer, the change path; only
 * the repositories ask which database they run on.
 */
@AnalyzeClasses(packages = "io.e4j.server", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageDependenciesTest {
  @ArchTest
  static final ArchRule packagesAreFreeOfCycles =
      slices().matching("io.e4j.server.(**)").should().beFreeOfCycles();

  /** The root package is no slice above: a cycle through it shows up here. */
  @ArchTest
  static final ArchRule apiTypesUseNothingElseOfTheServer =
      noClasses()
          .that()
          .resideInAPackage("io.e4j.server")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.e4j.server.internal..", "io.e4j.server.node..");

  @ArchTest
  static final ArchRule onlyTheChangePathWritesTheAuditLog =
      noClasses()
          .that()
          .resideOutsideOfPackages(
              "io.e4j.server.internal.change", "io.e4j.server.internal.journal")
          .should()
          .callMethodWhere(
              com.tngtech.archunit.base.DescribedPredicate.describe(
                  "a method of Journal that writes the audit log",
                  call ->
                      call.getTargetOwner().isEquivalentTo(Journal.class)
                          && (call.getName().equals("auditAlone")
                              || (call.getName().equals("audit")
                                  && call.getTarget()
                                      .getRawParameterTypes()
                                      .get(0)
                                      .isEquivalentTo(Handle.class)))));

  @ArchTest
  static final ArchRule onlyRepositoriesAskWhichDatabase =
      noClasses()
          .that()
          .resideOutsideOfPackages("io.e4j.server.internal.store", "io.e4j.server.internal.outbox")
          .should()
          .callMethod(Database.class, "dialect");
}
