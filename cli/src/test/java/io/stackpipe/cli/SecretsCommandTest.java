package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.local.SopsCli;
import io.stackpipe.secrets.keys.Age;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The secrets CLI against SecretsCommand directly, with age identities given through SOPS_AGE_KEY like sops. */
class SecretsCommandTest {
  @TempDir
  Path dir;
  Age.Identity id;
  Map<String, String> env;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  @BeforeEach
  void identity() throws IOException {
    id = Age.Identity.generate();
    env = new HashMap<>(Map.of("SOPS_AGE_KEY", id.secretKey(), "XDG_CONFIG_HOME", dir.resolve("xdg").toString()));
    Files.writeString(dir.resolve(".sops.yaml"), "creation_rules:\n  - path_regex: secrets\\.yaml$\n    age: " + id.recipient() + "\n");
  }

  /** Runs the command with fresh stdout/stderr buffers. */
  int run(String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    CommandLine cl = Stackpipe.withErrorHandling(new CommandLine(new SecretsCommand(env)));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  Path plain(String content) throws IOException {
    Path f = dir.resolve("secrets.yaml");
    Files.writeString(f, content);
    return f;
  }

  @Test
  void encryptsInPlaceAndDecryptsLikeSopsD() throws IOException {
    Path f = plain("# db settings\ndb:\n    password: cli-secret # inline\n    port: 5432\n    ratio: 0.5\n    on: true\n"
        + "hosts:\n    - a.example\n    - name: b\n      port: 2\nempty: \"\"\nnone: null\nquoted: '0123'\nwhen: 2024-01-02\n"
        + "text: |\n    line one\n    line two\n");
    assertThat(run("encrypt", "-i", f.toString())).isZero();
    assertThat(Files.readString(f)).doesNotContain("cli-secret");
    assertThat(run("decrypt", f.toString())).isZero();
    String ours = out.toString();
    String theirs = new SopsCli(dir, Map.of("SOPS_AGE_KEY", id.secretKey())).run("--decrypt", f.toString()).orFail();
    assertThat(ours).isEqualTo(theirs);
  }

  @Test
  void decryptsJsonLikeSopsD() throws IOException {
    Files.writeString(dir.resolve(".sops.yaml"), "creation_rules:\n  - age: " + id.recipient() + "\n");
    Path f = dir.resolve("secrets.json");
    Files.writeString(f, "{\"db\": {\"password\": \"cli-secret\", \"port\": 5432, \"ratio\": 0.5}, \"list\": [1, \"x\", true, null]}");
    assertThat(run("encrypt", "-i", f.toString())).isZero();
    assertThat(run("decrypt", f.toString())).isZero();
    String theirs = new SopsCli(dir, Map.of("SOPS_AGE_KEY", id.secretKey())).run("--decrypt", f.toString()).orFail();
    assertThat(out.toString()).isEqualTo(theirs);
  }

  @Test
  void quotesAndBlocksTrickyStringsLikeSopsD() throws IOException {
    Path f = plain("""
                colon: 'a: b'
                lead: ' x'
                hash: '#x'
                dash: '-'
                yes_word: 'yes'
                exp: '1e3'
                hex: '0x1F'
                tilde: '~'
                stamp: '2024-01-01T00:00:00Z'
                unicode: "é ü 日本"
                tab: "a\\tb"
                single: "it's"
                double: 'say "hi"'
                keep: "two\\n\\n"
                strip: "no\\nnewline"
                url: https://example.com/a?b=c#d
                "key with: colon": v
                float_big: 1000000.0
                float_small: 0.00001
                list_of_lists:
                    - - a
                      - b
                empty_map: {}
                empty_list: []
                """);
    assertThat(run("encrypt", "-i", f.toString())).isZero();
    assertThat(run("decrypt", f.toString())).isZero();
    String theirs = new SopsCli(dir, Map.of("SOPS_AGE_KEY", id.secretKey())).run("--decrypt", f.toString()).orFail();
    assertThat(out.toString()).isEqualTo(theirs);
  }

  @Test
  void extractsOneValue() throws IOException {
    Path f = plain("db:\n    password: cli-secret\n    port: 5432\n");
    run("encrypt", "-i", f.toString());
    assertThat(run("decrypt", "--extract", "[\"db\"][\"password\"]", f.toString())).isZero();
    assertThat(out.toString()).isEqualTo("cli-secret");
  }

  @Nested
  class Refusals {
    @Test
    void aFileWithoutMacExitsOneWithOneLineUnlessIgnored() throws IOException {
      // written by the real sops, then its MAC removed
      Path noMac = plain("myapp1: t00m4nys3cr3tzupdated\n");
      new SopsCli(dir, Map.of("SOPS_AGE_KEY", id.secretKey())).run("--encrypt", "--in-place", noMac.toString()).orFail();
      Files.writeString(noMac, Files.readString(noMac).replaceAll("(?m)^    mac: .*\\n", ""));
      assertThat(run("decrypt", noMac.toString())).isEqualTo(1);
      assertThat(err.toString()).startsWith("stackpipe: --ignore-mac: " + noMac).contains("no MAC").hasLineCount(1);
      assertThat(out.toString()).isEmpty();
      assertThat(run("decrypt", "--ignore-mac", noMac.toString())).isZero();
      assertThat(out.toString()).isEqualTo("myapp1: t00m4nys3cr3tzupdated\n");
    }

    @Test
    void noMatchingIdentityNamesTheRecipient() throws IOException {
      Path f = plain("a: b\n");
      run("encrypt", "-i", f.toString());
      env.put("SOPS_AGE_KEY", Age.Identity.generate().secretKey());
      assertThat(run("decrypt", f.toString())).isEqualTo(1);
      assertThat(err.toString()).contains("age " + id.recipient() + ": none of the 1 age identities matches").hasLineCount(1);
    }

    @Test
    void usageErrorsExitTwo() {
      assertThat(run()).isEqualTo(2);
      assertThat(err.toString()).contains("missing subcommand");
      assertThat(run("decrypt")).isEqualTo(2);
      assertThat(run("rotate")).isEqualTo(2);
      assertThat(run("decrypt", "--no-such-flag", "x")).isEqualTo(2);
    }
  }

  @Test
  void failuresNeverPrintTheSecret() throws IOException {
    String canary = "CLI-CANARY-91b2-never-print";
    Path f = plain("token: " + canary + "\n");
    run("encrypt", "-i", f.toString());
    String encrypted = Files.readString(f);
    Map<String, String> good = new HashMap<>(env);
    env.put("SOPS_AGE_KEY", Age.Identity.generate().secretKey());
    assertThat(run("decrypt", f.toString())).isEqualTo(1);
    assertThat(out + err.toString()).doesNotContain(canary);
    env.putAll(good);
    Files.writeString(f, encrypted.replace("token: ENC[AES256_GCM,data:", "token: ENC[AES256_GCM,data:AB"));
    assertThat(run("decrypt", f.toString())).isEqualTo(1);
    assertThat(out + err.toString()).doesNotContain(canary).contains("value at token fails authentication");
    Files.writeString(f, encrypted.replace("token: ENC", "extra_unencrypted: x\ntoken: ENC"));
    assertThat(run("decrypt", f.toString())).isEqualTo(1);
    assertThat(run("edit", f.toString())).isEqualTo(1);
    assertThat(out + err.toString()).doesNotContain(canary).contains("MAC mismatch");
    assertThat(run("decrypt", "--ignore-mac", "--extract", "[\"nope\"]", f.toString())).isEqualTo(1);
    assertThat(out + err.toString()).doesNotContain(canary).contains("no key [\"nope\"]");
  }

  @Test
  void editUsesTheEditorFromTheEnvironment() throws IOException {
    Path f = plain("token: old-token\n");
    run("encrypt", "-i", f.toString());
    env.put("EDITOR", "sed -i s/old-token/new-token/");
    assertThat(run("edit", f.toString())).isZero();
    run("decrypt", f.toString());
    assertThat(out.toString()).isEqualTo("token: new-token\n");
  }

  @Test
  void rotatesAndUpdatesKeysOfAWholeDirectory() throws IOException {
    Path f = plain("token: t\n");
    run("encrypt", "-i", f.toString());
    String before = Files.readString(f);
    assertThat(run("rotate", dir.toString())).isZero();
    assertThat(err.toString()).contains("rotated " + f).contains("1 file(s) rotated");
    assertThat(Files.readString(f)).isNotEqualTo(before);

    Age.Identity second = Age.Identity.generate();
    Files.writeString(dir.resolve(".sops.yaml"), "creation_rules:\n  - age: " + id.recipient() + "," + second.recipient() + "\n");
    assertThat(run("updatekeys", dir.toString())).isZero();
    env.put("SOPS_AGE_KEY", second.secretKey());
    assertThat(run("decrypt", f.toString())).isZero();
    assertThat(out.toString()).isEqualTo("token: t\n");
  }
}
