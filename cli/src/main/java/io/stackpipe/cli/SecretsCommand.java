package io.stackpipe.cli;

import io.stackpipe.secrets.DecryptedSecrets;
import io.stackpipe.secrets.core.SecretsEnvironment;
import io.stackpipe.secrets.core.SecretsException;
import io.stackpipe.secrets.keys.SecretKeys;
import io.stackpipe.secrets.SopsDecrypt;
import io.stackpipe.secrets.SopsEdit;
import io.stackpipe.secrets.SopsEncrypt;
import io.stackpipe.secrets.SopsRotate;
import io.stackpipe.secrets.SopsUpdateKeys;
import io.stackpipe.secrets.keys.SecretKeys;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code stackpipe secrets …}: sops-compatible decrypt/encrypt/edit plus rotate and updatekeys over whole chart
 * directories. A refused file exits 1 with one line on stderr (see {@link Stackpipe}); usage errors exit 2.
 */
@Command(name = "secrets", mixinStandardHelpOptions = true,
    description = "Decrypt, encrypt, edit, rotate and re-key SOPS files (age, AWS KMS, PGP, Shamir key groups).",
    subcommands = {SecretsCommand.Decrypt.class, SecretsCommand.Encrypt.class, SecretsCommand.Edit.class,
        SecretsCommand.Rotate.class, SecretsCommand.UpdateKeys.class})
public class SecretsCommand implements Runnable {
  @Spec
  CommandSpec spec;

  private final SecretsEnvironment env;

  /** The process environment and the user's home: where sops users keep their keys and AWS settings. */
  public SecretsCommand() {
    this(SecretsEnvironment.of(Stackpipe.environment(), Stackpipe.home()));
  }

  /** For tests and embedding: these variables only, no home directory. */
  public SecretsCommand(Map<String, String> env) {
    this(SecretsEnvironment.of(env, null));
  }

  public SecretsCommand(SecretsEnvironment env) {
    this.env = env;
  }

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
        "missing subcommand: decrypt, encrypt, edit, rotate or updatekeys");
  }

  /** Key material beyond the environment: age key files and PGP key files given explicitly. */
  static class KeyOptions {
    @Option(names = "--age-key-file", paramLabel = "FILE", description = "Extra age identity file (besides SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, ~/.config/sops/age/keys.txt).")
    List<Path> ageKeyFiles = List.of();

    @Option(names = "--pgp-key-file", paramLabel = "FILE", description = "Armored PGP key file (secret keys to decrypt, public keys to encrypt).")
    List<Path> pgpKeyFiles = List.of();

    SecretKeys keys(SecretsEnvironment env) {
      SecretKeys k = SecretKeys.fromEnvironment(env);
      for (Path p : ageKeyFiles) {
        k = k.withAgeKeyFile(p);
      }
      for (Path p : pgpKeyFiles) {
        k = k.withPgpKeyFile(p);
      }
      return k;
    }
  }

  /** Runs a body with the keys of the environment and options; failures take the CLI's one error path. */
  abstract static class Sub implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    SecretsCommand parent;

    @Spec
    CommandSpec spec;

    @Mixin
    KeyOptions keyOptions = new KeyOptions();

    @Override
    public Integer call() {
      try (SecretKeys keys = keyOptions.keys(parent.env)) {
        return run(keys);
      }
    }

    abstract int run(SecretKeys keys);

    void out(String s) {
      spec.commandLine().getOut().print(s);
      spec.commandLine().getOut().flush();
    }

    void info(String s) {
      spec.commandLine().getErr().println(s);
    }
  }

  @Command(name = "decrypt", description = "Print the decrypted file in its input format (like sops -d).")
  static class Decrypt extends Sub {
    @Parameters(paramLabel = "FILE")
    Path file;

    @Option(names = "--ignore-mac", description = "Decrypt even if the MAC does not match (tampered or hand-edited file).")
    boolean ignoreMac;

    @Option(names = "--extract", paramLabel = "PATH", description = "Print only this value, e.g. '[\"db\"][\"password\"]'.")
    String extract;

    @Override
    int run(SecretKeys keys) {
      DecryptedSecrets d = new SopsDecrypt(keys).withIgnoreMac(ignoreMac).call(file);
      out(extract == null ? d.plaintext() : d.extract(extract));
      return 0;
    }
  }

  @Command(name = "encrypt", description = "Encrypt a plaintext YAML/JSON file with the keys of its .sops.yaml creation rule.")
  static class Encrypt extends Sub {
    @Parameters(paramLabel = "FILE")
    Path file;

    @Option(names = {"-i", "--in-place"}, description = "Replace the file instead of printing the result.")
    boolean inPlace;

    @Option(names = "--config", paramLabel = "SOPS_YAML", description = "The .sops.yaml to use (default: the nearest one above FILE).")
    Path config;

    @Override
    int run(SecretKeys keys) {
      SopsEncrypt enc = config == null ? new SopsEncrypt(keys) : new SopsEncrypt(keys).withConfig(config);
      if (inPlace) {
        enc.callInPlace(file);
        info("encrypted " + file);
      } else {
        out(enc.call(file));
      }
      return 0;
    }
  }

  @Command(name = "edit", description = "Edit a sops file in $EDITOR; unchanged values keep their ciphertext.")
  static class Edit extends Sub {
    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    int run(SecretKeys keys) {
      boolean changed = new SopsEdit(keys).withEditor(parent.env.editor()).call(file);
      info(changed ? "updated " + file : "no changes to " + file);
      return 0;
    }
  }

  @Command(name = "rotate", description = "Give every sops file under the directories a new data key and re-encrypt all values.")
  static class Rotate extends Sub {
    @Parameters(paramLabel = "DIR", arity = "1..*")
    List<Path> dirs;

    @Override
    int run(SecretKeys keys) {
      List<Path> done = new SopsRotate(keys).call(dirs);
      done.forEach(p -> info("rotated " + p));
      info(done.size() + " file(s) rotated");
      return 0;
    }
  }

  @Command(name = "updatekeys", description = "Re-wrap each file's data key for the keys its .sops.yaml creation rule now names.")
  static class UpdateKeys extends Sub {
    @Parameters(paramLabel = "DIR", arity = "1..*")
    List<Path> dirs;

    @Option(names = "--config", paramLabel = "SOPS_YAML", description = "The .sops.yaml to use (default: the nearest one above each file).")
    Path config;

    @Override
    int run(SecretKeys keys) {
      SopsUpdateKeys u = config == null ? new SopsUpdateKeys(keys) : new SopsUpdateKeys(keys).withConfig(config);
      List<Path> done = u.call(dirs);
      done.forEach(p -> info("updated keys of " + p));
      info(done.size() + " file(s) changed");
      return 0;
    }
  }
}
