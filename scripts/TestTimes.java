import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;

/**
 * The timing report at the end of scripts/test: the ten slowest test classes and the total per module, read from
 * the Surefire and Failsafe XML reports written since the given time (older reports are an earlier build's).
 * Usage: java scripts/TestTimes.java ROOT [SINCE_EPOCH_SECONDS]
 */
public class TestTimes {

  record Suite(String module, String className, int tests, double seconds) {
  }

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    long since = args.length > 1 ? Long.parseLong(args[1]) * 1000 : 0;
    List<Suite> suites = new ArrayList<>();
    try (Stream<Path> modules = Files.list(root)) {
      for (Path module : modules.filter(Files::isDirectory).sorted().toList()) {
        for (String reports : List.of("surefire-reports", "failsafe-reports")) {
          File[] files = module.resolve("target").resolve(reports).toFile()
              .listFiles((dir, name) -> name.startsWith("TEST-") && name.endsWith(".xml"));
          for (File file : files == null ? new File[0] : files) {
            if (file.lastModified() < since) {
              continue;
            }
            Element suite = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file).getDocumentElement();
            String name = suite.getAttribute("name");
            suites.add(new Suite(module.getFileName().toString(), name.substring(name.lastIndexOf('.') + 1),
                Integer.parseInt(suite.getAttribute("tests")), Double.parseDouble(suite.getAttribute("time"))));
          }
        }
      }
    }
    // A nested class reports apart, and its top-level class's report counts its time again (not its tests):
    // per top-level class, its tests all told and the top-level report's time, else the sum of its nested ones'.
    Map<String, Suite> byClass = new TreeMap<>();
    Map<String, Double> topLevelTime = new TreeMap<>();
    for (Suite s : suites) {
      String top = s.className().replaceFirst("\\$.*", "");
      String key = s.module() + " " + top;
      byClass.merge(key, new Suite(s.module(), top, s.tests(), s.seconds()), TestTimes::sum);
      if (top.equals(s.className())) {
        topLevelTime.put(key, s.seconds());
      }
    }
    topLevelTime.forEach((key, seconds) -> byClass.computeIfPresent(key,
        (k, c) -> new Suite(c.module(), c.className(), c.tests(), seconds)));
    Map<String, Suite> byModule = new TreeMap<>();
    byClass.values().forEach(c -> byModule.merge(c.module(), new Suite(c.module(), "", c.tests(), c.seconds()),
        TestTimes::sum));
    System.out.println("\nTest time per module (sum of its test classes' times):");
    byModule.values().forEach(m -> System.out.printf("  %-16s %5d tests %8.1f s%n", m.module(), m.tests(), m.seconds()));
    System.out.printf("  %-16s %5d tests %8.1f s%n", "all", byModule.values().stream().mapToInt(Suite::tests).sum(),
        byModule.values().stream().mapToDouble(Suite::seconds).sum());
    System.out.println("The 10 slowest test classes:");
    byClass.values().stream().sorted(Comparator.comparingDouble(Suite::seconds).reversed()).limit(10)
        .forEach(c -> System.out.printf("  %8.1f s  %-16s %s (%d tests)%n", c.seconds(), c.module(), c.className(),
            c.tests()));
  }

  private static Suite sum(Suite a, Suite b) {
    return new Suite(a.module(), a.className(), a.tests() + b.tests(), a.seconds() + b.seconds());
  }
}
