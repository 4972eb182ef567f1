package io.stackpipe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine never names a CLI flag: a refusal concerns a field ({@link StackpipeException#field()}) that each
 * front end renders its own way. Scans every string literal of the engine's main sources.
 */
class NoCliFlagTest {

  // "--version", "pass --ignore-mac": two dashes starting a word, not a YAML separator or a "--->" arrow.
  private static final Pattern FLAG = Pattern.compile("(?<![-\\w])--[A-Za-z][-A-Za-z0-9]*");
  // Command lines of other tools the engine hands to users (how to reach a stack) are theirs, not Stackpipe's.
  private static final Pattern OTHER_TOOL = Pattern.compile("^(kubectl|telepresence|helm) ");

  @Test
  void noStringLiteralOfTheEngineNamesACliFlag() throws IOException {
    Path sources = engineSources();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(sources)) {
      files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    assertThat(files).as("engine sources under " + sources).hasSizeGreaterThan(20);

    List<String> offending = new ArrayList<>();
    for (Path file : files) {
      for (Literal literal : stringLiterals(Files.readString(file))) {
        Matcher flag = FLAG.matcher(literal.text());
        if (flag.find() && !OTHER_TOOL.matcher(literal.text()).find()) {
          offending.add(sources.relativize(file) + ":" + literal.line() + ": " + flag.group());
        }
      }
    }
    assertThat(offending).as("engine messages naming a CLI flag (use StackpipeException.ofField)").isEmpty();
  }

  @Nested
  class TheScanner {

    @Test
    void findsFlagsInStringsAndTextBlocksWithTheirLine(@TempDir Path tmp) {
      String source = "class A {\n  // a comment may say --verbose\n  /* and \"--json\" */\n"
          + "  char q = '\"';\n  String a = \"use --ignore-mac \\\" to go on\";\n"
          + "  String b = \"\"\"\n      set --kubeconfig\n      \"\"\";\n  String c = \"---\\n\" + \"a-->b\";\n}\n";

      List<String> found = stringLiterals(source).stream().filter(l -> FLAG.matcher(l.text()).find())
          .map(l -> l.line() + ": " + l.text().strip()).toList();

      assertThat(found).containsExactly("5: use --ignore-mac \\\" to go on", "6: set --kubeconfig");
    }
  }

  private static Path engineSources() {
    String root = System.getProperty("stackpipe.repo.root");
    Path sources = root != null ? Path.of(root, "engine", "src", "main", "java") : Path.of("src", "main", "java");
    assertThat(sources).isDirectory();
    return sources;
  }

  record Literal(int line, String text) {}

  /** The string literals and text blocks of Java source, each with the line it starts on; comments skipped. */
  static List<Literal> stringLiterals(String source) {
    List<Literal> literals = new ArrayList<>();
    int line = 1;
    int i = 0;
    int n = source.length();
    while (i < n) {
      char c = source.charAt(i);
      if (source.startsWith("//", i)) {
        while (i < n && source.charAt(i) != '\n') {
          i++;
        }
      } else if (source.startsWith("/*", i)) {
        int end = source.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        line += count(source, i, end);
        i = end;
      } else if (source.startsWith("\"\"\"", i)) {
        int end = source.indexOf("\"\"\"", i + 3);
        end = end < 0 ? n : end;
        literals.add(new Literal(line, source.substring(i + 3, end)));
        line += count(source, i, end);
        i = Math.min(n, end + 3);
      } else if (c == '"' || c == '\'') {
        int j = i + 1;
        while (j < n && source.charAt(j) != c && source.charAt(j) != '\n') {
          j += source.charAt(j) == '\\' ? 2 : 1;
        }
        if (c == '"') {
          literals.add(new Literal(line, source.substring(i + 1, Math.min(j, n))));
        }
        i = j + 1;
      } else {
        if (c == '\n') {
          line++;
        }
        i++;
      }
    }
    return literals;
  }

  private static int count(String source, int from, int to) {
    int lines = 0;
    for (int k = from; k < to; k++) {
      if (source.charAt(k) == '\n') {
        lines++;
      }
    }
    return lines;
  }
}
