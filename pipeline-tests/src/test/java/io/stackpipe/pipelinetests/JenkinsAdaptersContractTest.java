package io.stackpipe.pipelinetests;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.StaticJavaParser;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.body.ClassOrInterfaceDeclaration;
import com.github.javaparser.ast.body.ConstructorDeclaration;
import com.github.javaparser.ast.body.MethodDeclaration;
import com.github.javaparser.ast.body.Parameter;
import com.github.javaparser.ast.body.TypeDeclaration;
import com.github.javaparser.ast.body.VariableDeclarator;
import com.github.javaparser.ast.expr.AnnotationExpr;
import com.github.javaparser.ast.expr.BooleanLiteralExpr;
import com.github.javaparser.ast.expr.Expression;
import com.github.javaparser.ast.expr.MethodCallExpr;
import com.github.javaparser.ast.expr.SingleMemberAnnotationExpr;
import com.github.javaparser.ast.expr.StringLiteralExpr;
import com.github.javaparser.ast.nodeTypes.NodeWithImplements;
import com.github.javaparser.ast.stmt.ReturnStmt;
import com.github.javaparser.ast.type.ClassOrInterfaceType;
import com.github.javaparser.ast.type.Type;
import io.stackpipe.steps.StepDescription;
import io.stackpipe.steps.StepParameter;
import io.stackpipe.steps.Steps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * CI cannot compile the {@code jenkins} module (its dependencies live in the Jenkins repository), so this test reads
 * its sources and holds its step classes to the step layer: one class per step, {@code @Symbol} = the layer's name =
 * the names the Jenkinsfiles call, {@code @DataBoundConstructor} = the required parameters and
 * {@code @DataBoundSetter}s = the optional ones (names and types), field defaults = the layer's defaults, a help page
 * per parameter carrying the layer's help text, a Snippet Generator field per parameter, every step in
 * docs/STEPS.md.
 */
class JenkinsAdaptersContractTest {

  private static final Path ROOT = Path.of(System.getProperty("stackpipe.repo.root", ".."));
  private static final Path SOURCES = ROOT.resolve("jenkins/src/main/java");
  private static final Path RESOURCES = ROOT.resolve("jenkins/src/main/resources");
  private static final Map<String, StepClass> CLASSES = stepClasses();

  /** What a Jenkins step class declares, as read from its source. */
  record StepClass(String symbol, String functionName, String qualifiedName, Map<String, String> constructor,
      Map<String, String> setters, Map<String, Expression> fieldInitializers, List<String> values,
      Map<String, String> setterBodies) {
  }

  @Nested
  class EachStepOfTheLayer {

    @Test
    void hasExactlyOneJenkinsClassWhoseSymbolAndFunctionNameAreItsName() {
      List<String> names = Steps.descriptions().stream().map(StepDescription::name).toList();
      assertThat(CLASSES.keySet()).containsExactlyInAnyOrderElementsOf(names);
      CLASSES.forEach((symbol, c) -> assertThat(c.functionName()).as(c.qualifiedName()).isEqualTo(symbol));
    }

    @Test
    void takesItsRequiredParametersInTheDataBoundConstructorWithTheirTypes() {
      for (StepDescription step : Steps.descriptions()) {
        Map<String, String> expected = typed(step.requiredParameters());
        assertThat(stepClass(step.name()).constructor()).as(step.name()).containsExactlyInAnyOrderEntriesOf(expected);
      }
    }

    @Test
    void takesItsOptionalParametersThroughDataBoundSettersWithTheirTypes() {
      for (StepDescription step : Steps.descriptions()) {
        Map<String, String> expected = typed(step.optionalParameters());
        assertThat(stepClass(step.name()).setters()).as(step.name()).containsExactlyInAnyOrderEntriesOf(expected);
      }
    }

    @Test
    void startsEachOptionalFieldAtTheLayersDefault() {
      for (StepDescription step : Steps.descriptions()) {
        StepClass c = stepClass(step.name());
        for (StepParameter p : step.optionalParameters()) {
          Expression init = c.fieldInitializers().get(p.name());
          String where = step.name() + "." + p.name();
          if (p.type() == StepParameter.Type.MAP) {
            continue; // an empty map, as the layer's default
          }
          if (p.defaultValue() == null) {
            assertThat(init).as(where + " has no default").satisfiesAnyOf(
                e -> assertThat(e).isNull(), e -> assertThat(e.isNullLiteralExpr()).isTrue());
          } else if (p.defaultValue() instanceof Boolean b) {
            assertThat(init).as(where).isInstanceOf(BooleanLiteralExpr.class);
            assertThat(((BooleanLiteralExpr) init).getValue()).as(where).isEqualTo(b);
          } else {
            assertThat(init).as(where).isInstanceOf(StringLiteralExpr.class);
            assertThat(((StringLiteralExpr) init).getValue()).as(where).isEqualTo(p.defaultValue());
          }
        }
      }
    }

    @Test
    void takesABlankOptionalStringAsNotGivenAsTheSnippetGeneratorsEmptyFieldsNeed() {
      for (StepDescription step : Steps.descriptions()) {
        for (StepParameter p : step.optionalParameters()) {
          if (p.type() == StepParameter.Type.STRING) {
            String n = p.name();
            assertThat(stepClass(step.name()).setterBodies().get(n)).as(step.name() + ".set" + n)
                .isEqualTo("{this." + n + "=given(\"" + n + "\"," + n + ",this." + n + ");}");
          }
        }
      }
    }

    @Test
    void handsEveryParameterToTheLayer() {
      for (StepDescription step : Steps.descriptions()) {
        assertThat(stepClass(step.name()).values()).as(step.name() + " values()")
            .containsExactlyElementsOf(step.parameters().stream().map(StepParameter::name).toList());
      }
    }

    @Test
    void hasAHelpPagePerParameterWithTheLayersTextAndOneForItself() {
      for (StepDescription step : Steps.descriptions()) {
        Path folder = resources(stepClass(step.name()));
        assertThat(read(folder.resolve("help.html"))).as(step.name() + " help.html").contains(html(step.summary()));
        for (StepParameter p : step.parameters()) {
          assertThat(read(folder.resolve("help-" + p.name() + ".html"))).as(step.name() + " help-" + p.name())
              .contains(html(p.help()));
        }
      }
    }

    @Test
    void offersEveryParameterThatHasAFormFieldInTheSnippetGenerator() {
      for (StepDescription step : Steps.descriptions()) {
        String jelly = read(resources(stepClass(step.name())).resolve("config.jelly"));
        for (StepParameter p : step.parameters()) {
          if (p.type() != StepParameter.Type.MAP) {
            assertThat(jelly).as(step.name() + " config.jelly").contains("field=\"" + p.name() + "\"");
          }
        }
      }
    }

    @Test
    void isInTheStepsCatalogue() {
      List<String> headings = read(ROOT.resolve("docs/STEPS.md")).lines().filter(l -> l.startsWith("#")).toList();
      for (StepDescription step : Steps.descriptions()) {
        assertThat(headings).as("a docs/STEPS.md heading for " + step.name())
            .anyMatch(h -> h.matches(".*\\b" + step.name() + "\\b.*"));
      }
    }
  }

  @Nested
  class TheStepLayersSerializableClasses {

    /**
     * They (and the engine's serializable classes they carry) cross the remoting channel to and from the agent, and promoteL3 keeps some in the program state; Jenkins
     * refuses to deserialize classes of a plugin's bundled libraries (JEP-200) unless the plugin lists them.
     */
    @Test
    void areListedInThePluginsClassFilter() throws IOException {
      Set<String> serializable = new TreeSet<>();
      // The engine's too: GateSession travels inside L3Session.
      try (Stream<Path> files = Stream.concat(Files.walk(ROOT.resolve("steps/src/main/java")),
          Files.walk(ROOT.resolve("engine/src/main/java")))) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
          String source = Files.readString(file);
          if (!source.contains("Serializable")) {
            continue; // parsing every engine source took most of this test's time
          }
          CompilationUnit unit = StaticJavaParser.parse(source);
          unit.findAll(TypeDeclaration.class).stream()
              .filter(t -> t instanceof NodeWithImplements<?> n
                  && n.getImplementedTypes().stream().anyMatch(i -> i.getNameAsString().equals("Serializable")))
              .forEach(t -> serializable.add(((TypeDeclaration<?>) t).getFullyQualifiedName().orElseThrow()));
        }
      }
      assertThat(serializable).isNotEmpty();
      assertThat(read(RESOURCES.resolve("META-INF/hudson.remoting.ClassFilter")).lines().toList())
          .containsAll(serializable);
    }
  }

  @Nested
  class TheJenkinsfiles {

    @Test
    void callTheFourStepsByTheirSymbols() {
      Set<String> called = calledNames();
      assertThat(called).contains("buildChart", "createEphemeralStack", "promoteL3", "deployProfile");
      for (String name : called) {
        if (Steps.descriptions().stream().anyMatch(d -> d.name().equals(name))) {
          assertThat(CLASSES).as("a @Symbol for " + name).containsKey(name);
        }
      }
    }

    @Test
    void callNoStepWhoseNameIsAMisspeltSymbol() {
      for (String name : calledNames()) {
        for (String symbol : CLASSES.keySet()) {
          assertThat(!name.equals(symbol) && distance(name.toLowerCase(), symbol.toLowerCase()) <= 2)
              .as(name + " looks like a misspelt " + symbol).isFalse();
        }
      }
    }
  }

  private static StepClass stepClass(String step) {
    StepClass c = CLASSES.get(step);
    if (c == null) {
      throw new AssertionError("no Jenkins step class (extends StackpipeStep) with @Symbol(\"" + step + "\") in " + SOURCES);
    }
    return c;
  }

  private static Map<String, String> typed(List<StepParameter> parameters) {
    Map<String, String> types = new LinkedHashMap<>();
    for (StepParameter p : parameters) {
      types.put(p.name(), p.type().javaType().getSimpleName());
    }
    return types;
  }

  private static Map<String, StepClass> stepClasses() {
    StaticJavaParser.getParserConfiguration().setLanguageLevel(ParserConfiguration.LanguageLevel.JAVA_17);
    Map<String, StepClass> found = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        CompilationUnit unit = StaticJavaParser.parse(file);
        for (ClassOrInterfaceDeclaration type : unit.findAll(ClassOrInterfaceDeclaration.class)) {
          if (type.getExtendedTypes().stream().noneMatch(t -> t.getNameAsString().equals("StackpipeStep"))) {
            continue;
          }
          StepClass c = read(type);
          assertThat(found).as("a second class for " + c.symbol() + ": " + c.qualifiedName()).doesNotContainKey(c.symbol());
          found.put(c.symbol(), c);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return found;
  }

  private static StepClass read(ClassOrInterfaceDeclaration type) {
    String name = type.getFullyQualifiedName().orElseThrow();
    ClassOrInterfaceDeclaration descriptor = type.getMembers().stream()
        .filter(m -> m instanceof ClassOrInterfaceDeclaration d && d.getNameAsString().equals("DescriptorImpl"))
        .map(m -> (ClassOrInterfaceDeclaration) m).findFirst()
        .orElseThrow(() -> new AssertionError(name + " has no nested DescriptorImpl"));
    assertThat(descriptor.getAnnotationByName("Extension")).as(name + ".DescriptorImpl @Extension").isPresent();
    AnnotationExpr symbol = descriptor.getAnnotationByName("Symbol")
        .orElseThrow(() -> new AssertionError(name + ".DescriptorImpl has no @Symbol"));
    String functionName = descriptor.getMethodsByName("getFunctionName").stream().findFirst()
        .flatMap(m -> m.findFirst(ReturnStmt.class)).flatMap(ReturnStmt::getExpression)
        .map(e -> e.asStringLiteralExpr().getValue()).orElse(null);

    List<ConstructorDeclaration> bound = type.getConstructors().stream()
        .filter(c -> c.getAnnotationByName("DataBoundConstructor").isPresent()).toList();
    assertThat(bound).as(name + " @DataBoundConstructor").hasSize(1);
    Map<String, String> constructor = new LinkedHashMap<>();
    for (Parameter p : bound.get(0).getParameters()) {
      constructor.put(p.getNameAsString(), erasure(p.getType()));
    }
    Map<String, String> setters = new LinkedHashMap<>();
    Map<String, String> setterBodies = new LinkedHashMap<>();
    for (MethodDeclaration m : type.getMethods()) {
      if (m.getAnnotationByName("DataBoundSetter").isPresent()) {
        assertThat(m.getNameAsString()).as(name + " setter").startsWith("set");
        assertThat(m.getParameters()).as(name + "." + m.getNameAsString()).hasSize(1);
        String property = Character.toLowerCase(m.getNameAsString().charAt(3)) + m.getNameAsString().substring(4);
        setters.put(property, erasure(m.getParameter(0).getType()));
        setterBodies.put(property, m.getBody().map(Object::toString).orElse("").replaceAll("\\s+", ""));
      }
    }
    Map<String, Expression> initializers = new LinkedHashMap<>();
    type.getFields().forEach(f -> f.getVariables().forEach(
        (VariableDeclarator v) -> initializers.put(v.getNameAsString(), v.getInitializer().orElse(null))));
    List<String> values = new ArrayList<>();
    type.getMethodsByName("values").forEach(m -> m.findAll(MethodCallExpr.class).stream()
        .filter(call -> call.getNameAsString().equals("put") && call.getArgument(0).isStringLiteralExpr())
        .forEach(call -> values.add(call.getArgument(0).asStringLiteralExpr().getValue())));
    return new StepClass(symbolValue(symbol), functionName, name, constructor, setters, initializers, values,
        setterBodies);
  }

  private static String symbolValue(AnnotationExpr symbol) {
    Expression value = ((SingleMemberAnnotationExpr) symbol).getMemberValue();
    return value.asStringLiteralExpr().getValue();
  }

  private static String erasure(Type type) {
    return type instanceof ClassOrInterfaceType c ? c.getNameAsString() : type.asString();
  }

  private static Path resources(StepClass c) {
    return RESOURCES.resolve(c.qualifiedName().replace('.', '/'));
  }

  private static Set<String> calledNames() {
    Pattern call = Pattern.compile("\\b([a-z][A-Za-z0-9]*)\\s*(?:\\(|\\s+[a-z][A-Za-z0-9]*\\s*:)");
    Set<String> names = new TreeSet<>();
    try (Stream<Path> files = Files.walk(ROOT)) {
      for (Path f : files.filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/"))
          .filter(p -> p.getFileName().toString().equals("Jenkinsfile") || p.getFileName().toString().endsWith(".Jenkinsfile"))
          .toList()) {
        String text = read(f).lines().map(l -> l.replaceAll("//.*", "")).collect(Collectors.joining("\n"));
        Matcher m = call.matcher(text.replaceAll("(?s)(['\"]).*?\\1", "''"));
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names;
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      int[] current = new int[b.length() + 1];
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1),
            previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
      }
      previous = current;
    }
    return previous[b.length()];
  }

  private static String html(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
