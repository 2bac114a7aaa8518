package io.e4j.mqtt;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The layering of e4j-mqtt: the public API in {@code io.e4j.mqtt} builds on {@code internal} (the
 * HiveMQ client), never the reverse, and the packages under it do not form cycles.
 */
@AnalyzeClasses(packages = "io.e4j.mqtt", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageDependenciesTest {
  /** One slice per package under io.e4j.mqtt. */
  @ArchTest
  static final ArchRule packagesAreFreeOfCycles =
      slices().matching("io.e4j.mqtt.(**)").should().beFreeOfCycles();

  /**
   * The root package is no slice of the rule above, so a cycle through it would pass there; it
   * shows up here, as an internal class using the public API.
   */
  @ArchTest
  static final ArchRule internalsDoNotUseThePublicApi =
      noClasses()
          .that()
          .resideInAPackage("io.e4j.mqtt.internal..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.e4j.mqtt");
}
