package io.stackpipe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md matches the code: every class it names in backquotes ({@code Stacks}, {@code deploy.Deploy},
 * {@code HelmReleases.awaitInstalled}) is declared somewhere in the repository's sources, top-level or nested
 * (the {@code jenkins} module counts by its sources, since CI cannot compile it). A renamed or removed class
 * fails this test until the document follows.
 */
class ArchitectureDocTest {

  private static final Path ROOT = Path.of(System.getProperty("stackpipe.repo.root", ".."));
  // `Name`, `pkg.sub.Name`, `Name.member`, `Name.member(…)`: a class, as code spells it.
  private static final Pattern CLASS_REFERENCE =
      Pattern.compile("^(?:[a-z][a-z0-9]*\\.)*([A-Z][A-Za-z0-9]*)(?:\\.[A-Za-z][A-Za-z0-9]*)?(?:\\(.*\\))?$");
  private static final Pattern DECLARATION =
      Pattern.compile("\\b(?:class|record|enum|interface|@interface)\\s+([A-Z][A-Za-z0-9]*)");
  /** Types of other projects that the document names to say what ours build on. */
  private static final Set<String> OTHER_PROJECTS = Set.of(
      // Jenkins
      "AsyncPeriodicWork", "BodyExecutionCallback", "EnvironmentExpander", "GlobalConfiguration",
      "MasterToSlaveFileCallable", "StepExecution", "Step", "StepContext", "Computer", "FlowInterruptedException",
      // picocli, the AWS SDK, the JDK, HTTP
      "CommandSpec", "StsAssumeRoleCredentialsProvider", "HttpServer", "Link");

  @Test
  void everyClassTheArchitectureNamesExists() throws IOException {
    Set<String> named = namedClasses(Files.readString(ROOT.resolve("docs/architecture.md")));
    assertThat(named).as("class names found in docs/architecture.md").hasSizeGreaterThan(40);

    Set<String> declared = declaredTypes();
    Set<String> missing = new TreeSet<>(named);
    missing.removeAll(declared);
    missing.removeAll(OTHER_PROJECTS);
    assertThat(missing).as("classes docs/architecture.md names that no source declares").isEmpty();
  }

  @Test
  void theReaderSeesAClassReferenceAndNotProseOrCode() {
    String doc = "`Stacks`, `kube.release.ReleaseInstall`, `HelmReleases.awaitInstalled`, `Deploy.sync(SyncTarget)`,"
        + " `oci://host/path`, `--json`, `quality: L3`, `l3.json`, `ConfigMap <name>-l3`, `io.stackpipe`";
    assertThat(namedClasses(doc))
        .containsExactlyInAnyOrder("Stacks", "ReleaseInstall", "HelmReleases", "Deploy");
  }

  static Set<String> namedClasses(String markdown) {
    Set<String> names = new HashSet<>();
    Matcher code = Pattern.compile("`([^`\\n]+)`").matcher(markdown);
    while (code.find()) {
      Matcher reference = CLASS_REFERENCE.matcher(code.group(1).strip());
      if (reference.matches()) {
        names.add(reference.group(1));
      }
    }
    return names;
  }

  private static Set<String> declaredTypes() throws IOException {
    Set<String> declared = new HashSet<>();
    List<Path> sources;
    try (Stream<Path> walk = Files.walk(ROOT)) {
      sources = walk.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/")
          && !p.toString().contains("/target/")).toList();
    }
    for (Path source : sources) {
      Matcher declaration = DECLARATION.matcher(Files.readString(source));
      while (declaration.find()) {
        declared.add(declaration.group(1));
      }
    }
    return declared;
  }
}
