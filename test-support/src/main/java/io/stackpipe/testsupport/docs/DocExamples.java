package io.stackpipe.testsupport.docs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the copy-paste examples of a user guide exactly as a reader would, in order, in one working folder:
 * <ul>
 *   <li>a {@code ```sh} block runs as one bash script and must succeed;</li>
 *   <li>a {@code ```console} block holds {@code $ command} lines, each followed by lines its output must
 *       contain; an expected line starting with {@code stackpipe:} means the command must exit 1, else 0.</li>
 * </ul>
 * Substitutions replace what a guide assumes about the reader's machine (e.g. {@code localhost:5000}) with
 * what the test started.
 *
 * <p>Each example starts the CLI's JVM anew, and the guides run dozens: unless the environment given says
 * otherwise, {@code STACKPIPE_JAVA_OPTS} keeps it to the quick-starting C1 compiler (measured: a command in
 * half the time), which is what a short command needs, and to a class-data archive of the CLI's classes
 * (AppCDS: a third less CPU per command), which the first example that runs the CLI in a test JVM's build
 * writes into {@code java.io.tmpdir}, emptied per build (an archive that no longer matches the jar is ignored).
 */
public final class DocExamples {

  private final Path workDir;
  private final Path binDir;
  private final Map<String, String> substitutions;
  private final Map<String, String> environment;
  static final String CLI_JAVA_OPTS = "-XX:TieredStopAtLevel=1";
  private static final Path CDS_ARCHIVE = Path.of(System.getProperty("java.io.tmpdir"), "stackpipe-cli.jsa");

  public DocExamples(Path workDir, Path binDir, Map<String, String> substitutions, Map<String, String> environment) {
    this.workDir = workDir;
    this.binDir = binDir;
    this.substitutions = substitutions;
    this.environment = environment;
  }

  /** A block of a guide: its kind ({@code sh} or {@code console}), text and first line number. */
  public record Block(String kind, String text, int line) {
  }

  /** The runnable blocks of a guide, in order. */
  public static List<Block> blocks(Path guide) throws IOException {
    List<Block> blocks = new ArrayList<>();
    List<String> lines = Files.readAllLines(guide, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String fence = lines.get(i).strip();
      if (fence.equals("```sh") || fence.equals("```console")) {
        int start = i + 1;
        StringBuilder text = new StringBuilder();
        while (++i < lines.size() && !lines.get(i).strip().equals("```")) {
          text.append(lines.get(i)).append('\n');
        }
        blocks.add(new Block(fence.substring(3), text.toString(), start + 1));
      }
    }
    return blocks;
  }

  /**
   * Runs every block of the guide and returns how many ran; the first failure throws an AssertionError naming
   * the guide and line, and so does a guide without any runnable block (say, fences renamed by mistake).
   */
  public int runAll(Path guide) throws IOException, InterruptedException {
    List<Block> blocks = blocks(guide);
    if (blocks.isEmpty()) {
      throw new AssertionError(guide + " holds no ```sh or ```console example");
    }
    for (Block block : blocks) {
      String where = guide.getFileName() + ":" + block.line();
      if (block.kind().equals("sh")) {
        Result result = bash(block.text());
        if (result.exitCode != 0) {
          throw new AssertionError(where + ": sh block exited " + result.exitCode + "\n" + result.output);
        }
      } else {
        runConsole(block, where);
      }
    }
    return blocks.size();
  }

  private void runConsole(Block block, String where) throws IOException, InterruptedException {
    String command = null;
    List<String> expected = new ArrayList<>();
    for (String line : (block.text() + "$ \n").lines().toList()) {
      if (line.startsWith("$ ")) {
        if (command != null) {
          check(command, expected, where);
        }
        command = line.substring(2).strip();
        expected = new ArrayList<>();
      } else if (!line.isBlank()) {
        expected.add(substitute(line.strip()));
      }
    }
  }

  private void check(String command, List<String> expected, String where) throws IOException, InterruptedException {
    if (command.isEmpty()) {
      return;
    }
    Result result = bash(command);
    int wantedExit = expected.stream().anyMatch(l -> l.startsWith("stackpipe:")) ? 1 : 0;
    if (result.exitCode != wantedExit) {
      throw new AssertionError(where + ": '" + command + "' exited " + result.exitCode + ", the guide shows "
          + wantedExit + "\n" + result.output);
    }
    for (String line : expected) {
      if (!result.output.contains(line)) {
        throw new AssertionError(where + ": output of '" + command + "' lacks the guide's line\n  " + line
            + "\nit was:\n" + result.output);
      }
    }
  }

  private String substitute(String text) {
    String result = text;
    for (Map.Entry<String, String> s : substitutions.entrySet()) {
      result = result.replace(s.getKey(), s.getValue());
    }
    return result;
  }

  private record Result(int exitCode, String output) {
  }

  private Result bash(String script) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("bash", "-euo", "pipefail", "-c", substitute(script))
        .directory(workDir.toFile())
        .redirectErrorStream(true);
    boolean archived = Files.isRegularFile(CDS_ARCHIVE);
    Path dump = CDS_ARCHIVE.resolveSibling(CDS_ARCHIVE.getFileName() + "." + ProcessHandle.current().pid());
    // Quiet: a warning about an unusable archive would land in the output the guide's lines are checked against.
    builder.environment().put("STACKPIPE_JAVA_OPTS", CLI_JAVA_OPTS + " -Xlog:disable "
        + (archived ? "-XX:SharedArchiveFile=" + CDS_ARCHIVE : "-XX:ArchiveClassesAtExit=" + dump));
    builder.environment().putAll(environment);
    builder.environment().put("PATH", binDir + ":" + System.getenv("PATH"));
    Process process = builder.start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("timed out: " + script);
    }
    if (!archived && Files.isRegularFile(dump)) {
      Files.move(dump, CDS_ARCHIVE, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
    return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }
}
