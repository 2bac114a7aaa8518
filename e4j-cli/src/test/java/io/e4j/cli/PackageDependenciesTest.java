package io.e4j.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The layering of e4j-cli: the commands in {@code io.e4j.cli} build on {@code internal}, never the
 * reverse; and the command uses only the public packages of the other modules.
 */
@AnalyzeClasses(packages = "io.e4j.cli", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageDependenciesTest {
  @ArchTest
  static final ArchRule packagesAreFreeOfCycles =
      slices().matching("io.e4j.cli.(**)").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule internalsDoNotUseTheCommands =
      noClasses()
          .that()
          .resideInAPackage("io.e4j.cli.internal..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.e4j.cli");

  @ArchTest
  static final ArchRule otherModulesOnlyThroughTheirPublicApi =
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.e4j.core.internal..", "io.e4j.mqtt.internal..", "io.e4j.server.internal..");
}
