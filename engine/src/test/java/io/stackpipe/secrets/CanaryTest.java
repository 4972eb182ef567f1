package io.stackpipe.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.secrets.format.SopsFile;
import io.stackpipe.secrets.keys.Age;
import io.stackpipe.secrets.keys.SecretKeys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A distinctive secret goes through every operation, successful and failing; it must never show up in an exception
 * message or stack trace, a log record, stdout/stderr, toString, or a file left in the temp directory.
 */
class CanaryTest {
  static final String CANARY = "CANARY-7f3a9c1e-never-log-me";

  @TempDir
  Path dir;
  final List<String> seen = new ArrayList<>();
  final ByteArrayOutputStream console = new ByteArrayOutputStream();
  PrintStream out;
  PrintStream err;
  Handler handler;
  Instant start;

  @BeforeEach
  void capture() {
    start = Instant.now().minusSeconds(1);
    out = System.out;
    err = System.err;
    PrintStream cap = new PrintStream(console, true, StandardCharsets.UTF_8);
    System.setOut(cap);
    System.setErr(cap);
    handler = new Handler() {
      @Override
      public void publish(LogRecord r) {
        seen.add(r.getMessage() + " " + r.getParameters() + " " + r.getThrown());
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    Logger.getLogger("").addHandler(handler);
    Logger.getLogger("").setLevel(Level.ALL);
  }

  @AfterEach
  void restore() {
    System.setOut(out);
    System.setErr(err);
    Logger.getLogger("").removeHandler(handler);
  }

  private void expectFailure(Runnable r) {
    try {
      r.run();
      throw new AssertionError("expected a failure");
    } catch (SecretsException e) {
      StringWriter sw = new StringWriter();
      e.printStackTrace(new PrintWriter(sw));
      seen.add(sw.toString());
    }
  }

  @Test
  void theCanaryNeverLeaksFromAnyOperation() throws Exception {
    Age.Identity id = Age.Identity.generate();
    SecretKeys keys = SecretKeys.none().withAgeIdentities(List.of(id));
    Files.writeString(dir.resolve(".sops.yaml"), "creation_rules:\n  - age: " + id.recipient() + "\n");
    Path f = dir.resolve("secrets.yaml");
    Files.writeString(f, "password: " + CANARY + "\nport: 8080\nlist:\n    - " + CANARY + "\n");
    new SopsEncrypt(keys).callInPlace(f);
    assertThat(Files.readString(f)).doesNotContain(CANARY);

    DecryptedSecrets d = new SopsDecrypt(keys).call(f);
    assertThat(d.secretValues()).contains(CANARY);
    seen.add(d.toString());
    seen.add(keys.toString());
    seen.add(SopsFile.parse(f).toString());
    seen.add(SopsFile.parse(f).keyStructure(p -> "<" + p + ">").toString());
    Path[] leaked = new Path[1];
    String read = d.withTempFile(p -> {
      leaked[0] = p;
      assertThat(Files.getPosixFilePermissions(p)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(Files.getPosixFilePermissions(p.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
      return Files.readString(p);
    });
    assertThat(read).contains(CANARY);
    assertThat(leaked[0]).doesNotExist();
    assertThat(leaked[0].getParent()).doesNotExist();
    expectFailure(() -> d.withTempFile(p -> {
      leaked[0] = p;
      throw new IOException("helm failed reading " + p);
    }));
    assertThat(leaked[0]).doesNotExist();

    // failures: wrong identity, tampered value, MAC mismatch, bad extract path, bad edit, value of wrong type
    expectFailure(() -> new SopsDecrypt(SecretKeys.none().withAgeIdentities(List.of(Age.Identity.generate()))).call(f));
    String enc = Files.readString(f);
    Files.writeString(f, enc.replace("port: ENC[AES256_GCM,data:", "port: ENC[AES256_GCM,data:AA"));
    expectFailure(() -> new SopsDecrypt(keys).call(f));
    Files.writeString(f, enc.replace("port: ENC", "port_unencrypted: 1\nport: ENC"));
    expectFailure(() -> new SopsDecrypt(keys).call(f));
    Files.writeString(f, enc);
    expectFailure(() -> d.extract("[\"nope\"]"));
    expectFailure(() -> new SopsEdit(keys).withEditor(List.of("sh", "-c", "printf 'password: [" + CANARY + "\\n' > \"$0\"")).call(f));
    expectFailure(() -> new SopsEdit(keys).withEditor(List.of("false")).call(f));
    expectFailure(() -> new SopsEncrypt(keys).call(f));
    new SopsRotate(keys).call(List.of(dir));
    new SopsEdit(keys).withEditor(List.of("sed", "-i", "s/8080/8081/")).call(f);
    assertThat(new SopsDecrypt(keys).call(f).secretValues()).contains(CANARY, "8081");

    seen.add(console.toString(StandardCharsets.UTF_8));
    assertThat(seen).isNotEmpty().noneMatch(s -> s.contains(CANARY));
    assertThat(Files.readString(f)).doesNotContain(CANARY);
    assertThat(filesContainingCanary(Path.of(System.getProperty("java.io.tmpdir")))).isEmpty();
  }

  private List<Path> filesContainingCanary(Path tmp) throws IOException {
    List<Path> hits = new ArrayList<>();
    Path real = dir.toRealPath();
    try (Stream<Path> s = Files.walk(tmp, 4)) {
      s.filter(p -> !p.startsWith(real) && !p.startsWith(dir))
          .filter(p -> {
            try {
              return Files.isRegularFile(p) && Files.isReadable(p) && Files.size(p) < 1_000_000
                  && Files.getLastModifiedTime(p).toInstant().isAfter(start);
            } catch (IOException e) {
              return false;
            }
          })
          .forEach(p -> {
            try {
              if (new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).contains(CANARY)) {
                hits.add(p);
              }
            } catch (IOException e) {
              // vanished or unreadable: not ours
            }
          });
    } catch (java.io.UncheckedIOException e) {
      // a directory vanished while walking (other processes use tmp too)
    }
    return hits;
  }
}
