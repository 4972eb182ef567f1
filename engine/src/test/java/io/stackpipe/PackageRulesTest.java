package io.stackpipe;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.stackpipe.deploy.Deploy;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which engine package may use which (docs/architecture.md, "Engine packages"), checked on the engine's compiled
 * main classes — what the code uses, not what its import lines say. The layers, bottom up: {@code io.stackpipe}
 * itself; {@code yaml}, {@code registry}, {@code secrets.*}, {@code chart}, {@code profile}, {@code kube.*}; then
 * {@code stack.*}, {@code deploy.*}, {@code umbrella}, {@code manifest.*}, {@code gate}, {@code status}; and on top
 * {@code installation}, which only the front ends use.
 */
class PackageRulesTest {

  private static final String[] LOWER = {"io.stackpipe.yaml..", "io.stackpipe.registry..", "io.stackpipe.kube..",
      "io.stackpipe.secrets..", "io.stackpipe.chart..", "io.stackpipe.profile.."};
  private static final String[] UPPER = {"io.stackpipe.umbrella..", "io.stackpipe.deploy..",
      "io.stackpipe.manifest..", "io.stackpipe.gate..", "io.stackpipe.stack..", "io.stackpipe.status..",
      "io.stackpipe.installation.."};
  private static final String[] FRONT_ENDS = {"io.stackpipe.cli..", "io.stackpipe.steps..",
      "io.stackpipe.jenkins..", "io.stackpipe.local..", "io.stackpipe.testsupport..", "io.stackpipe.bench.."};

  static JavaClasses engine;

  @BeforeAll
  static void importTheEngine() throws URISyntaxException {
    Path classes = Path.of(Deploy.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    engine = new ClassFileImporter().importPath(classes);
  }

  @Test
  void noCycleBetweenPackages() {
    slices().matching("io.stackpipe.(**)").should().beFreeOfCycles().check(engine);
  }

  @Test
  void theSecretsCoreUsesNothingElseOfSecretsNorOfTheEngine() {
    noClasses().that().resideInAPackage("io.stackpipe.secrets.core..")
        .should().dependOnClassesThat(resideInAPackage("io.stackpipe..")
            .and(not(resideInAnyPackage("io.stackpipe", "io.stackpipe.secrets.core.."))))
        .check(engine);
  }

  @Test
  void lowerLayersDoNotUseUpperOnes() {
    noClasses().that().resideInAnyPackage(LOWER).should().dependOnClassesThat().resideInAnyPackage(UPPER)
        .check(engine);
  }

  @Test
  void theEngineUsesNoFrontEnd() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage(FRONT_ENDS).check(engine);
  }

  @Test
  void onlyFrontEndsUseTheInstallation() {
    noClasses().that().resideOutsideOfPackage("io.stackpipe.installation..")
        .should().dependOnClassesThat().resideInAPackage("io.stackpipe.installation..").check(engine);
  }
}
