package io.e4j.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The layering of e4j-core: the public API in {@code io.e4j.core} builds on {@code internal}, never
 * the reverse, and the internal packages (crypto, protocol, store) do not form cycles.
 */
@AnalyzeClasses(packages = "io.e4j.core", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageDependenciesTest {
  /**
   * One slice per package under io.e4j.core: internal.crypto, internal.protocol, internal.store.
   */
  @ArchTest
  static final ArchRule packagesAreFreeOfCycles =
      slices().matching("io.e4j.core.(**)").should().beFreeOfCycles();

  /**
   * The root package is no slice of the rule above, so a cycle through it would pass there; it
   * shows up here, as an internal class using the public API.
   */
  @ArchTest
  static final ArchRule internalsDoNotUseThePublicApi =
      noClasses()
          .that()
          .resideInAPackage("io.e4j.core.internal..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.e4j.core");
}
