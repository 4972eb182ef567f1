package io.stackpipe.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.secrets.core.SecretsException;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
 * message or stack trace, a log record, stdout/stderr, toString, or a file left in the temp directory (a private
 * temp root given to the code under test, so the test never scans the shared /tmp).
 */
class CanaryTest {
  static final String CANARY = "CANARY-7f3a9c1e-never-log-me";

  @TempDir
  Path dir;
  @TempDir
  Path tempRoot;
  final List<String> seen = new ArrayList<>();
  final ByteArrayOutputStream console = new ByteArrayOutputStream();
  PrintStream out;
  PrintStream err;
  Handler handler;

  @BeforeEach
  void capture() {
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
    String read = d.withTempFile(Optional.of(tempRoot), p -> {
      leaked[0] = p;
      assertThat(p).startsWith(tempRoot);
      assertThat(Files.getPosixFilePermissions(p)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(Files.getPosixFilePermissions(p.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
      return Files.readString(p);
    });
    assertThat(read).contains(CANARY);
    assertThat(leaked[0]).doesNotExist();
    assertThat(leaked[0].getParent()).doesNotExist();
    expectFailure(() -> d.withTempFile(Optional.of(tempRoot), p -> {
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
    expectFailure(() -> new SopsEdit(keys).withTempRoot(tempRoot).withEditor(List.of("sh", "-c", "printf 'password: [" + CANARY + "\\n' > \"$0\"")).call(f));
    expectFailure(() -> new SopsEdit(keys).withTempRoot(tempRoot).withEditor(List.of("false")).call(f));
    expectFailure(() -> new SopsEncrypt(keys).call(f));
    new SopsRotate(keys).call(List.of(dir));
    // the editor only edits a file under the temp root it was given
    new SopsEdit(keys).withTempRoot(tempRoot).withEditor(List.of("sh", "-c",
        "case \"$0\" in " + tempRoot + "/*) sed -i s/8080/8081/ \"$0\";; *) exit 3;; esac")).call(f);
    assertThat(new SopsDecrypt(keys).call(f).secretValues()).contains(CANARY, "8081");

    seen.add(console.toString(StandardCharsets.UTF_8));
    assertThat(seen).isNotEmpty().noneMatch(s -> s.contains(CANARY));
    assertThat(Files.readString(f)).doesNotContain(CANARY);
    try (Stream<Path> left = Files.list(tempRoot)) {
      assertThat(left).as("nothing left in the temp root").isEmpty();
    }
  }
}
