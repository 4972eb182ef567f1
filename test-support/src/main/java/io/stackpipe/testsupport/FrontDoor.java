package io.stackpipe.testsupport;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The rule that front ends (the CLI, the step layer, the Jenkins plugin) enter the engine through its front door:
 * they build an {@code Installation} and call its {@code Session}; they never construct a Kubernetes client,
 * registry client, key set, L3 store or engine operation themselves. Read from compiled classes (their constant
 * pools: every class, descriptor and method they reference) and, for the plugin that cannot be compiled here, from
 * sources (imports and calls).
 */
public final class FrontDoor {

  /** Engine classes only the session may hold or make. */
  public static final List<String> FORBIDDEN_CLASSES = List.of("io.stackpipe.kube.KubeConnection",
      "io.stackpipe.registry.OciRegistry", "io.stackpipe.registry.RegistryHttp",
      "io.stackpipe.secrets.keys.SecretKeys", "io.stackpipe.secrets.keys.AwsKms",
      "io.stackpipe.secrets.core.SecretsEnvironment", "io.stackpipe.manifest.l3.L3Pointer",
      "io.stackpipe.umbrella.UmbrellaResolve", "io.stackpipe.umbrella.UmbrellaPull");

  /** Engine factories the session calls with the installation's settings; a front end gets their product. */
  public static final List<String> FORBIDDEN_CALLS = List.of("io.stackpipe.stack.Stacks.on",
      "io.stackpipe.manifest.l3.L3.on", "io.stackpipe.deploy.Deploy.onto", "io.stackpipe.gate.L3Gate.of",
      "io.stackpipe.umbrella.UmbrellaStack.create", "io.stackpipe.stack.policy.StackPolicies.load",
      "io.stackpipe.status.Status.of", "io.stackpipe.status.L3Status.of", "io.stackpipe.deploy.ChartSource.oci",
      "io.stackpipe.deploy.ChartSource.file", "io.stackpipe.deploy.ChartSource.inRegistry");

  private FrontDoor() {
  }

  /** Every breach in the classes under {@code classes} whose binary name {@code checked} accepts. */
  public static List<String> breachesInClasses(Path classes, Predicate<String> checked) {
    List<String> breaches = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(classes)) {
      for (Path file : walk.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
        String name = classes.relativize(file).toString().replace('/', '.').replaceFirst("\\.class$", "");
        if (!checked.test(name)) {
          continue;
        }
        References refs = references(file);
        for (String forbidden : FORBIDDEN_CLASSES) {
          String internal = forbidden.replace('.', '/');
          if (refs.texts().stream().anyMatch(t -> t.equals(internal) || t.contains("L" + internal + ";"))) {
            breaches.add(name + " uses " + forbidden);
          }
        }
        for (String call : FORBIDDEN_CALLS) {
          if (refs.methods().contains(call)) {
            breaches.add(name + " calls " + call);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return breaches;
  }

  /** Every breach in the Java sources under {@code sources}: forbidden imports, qualified names and calls. */
  public static List<String> breachesInSources(Path sources) {
    List<String> breaches = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(sources)) {
      for (Path file : walk.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        String text = Files.readString(file);
        String name = sources.relativize(file).toString();
        for (String forbidden : FORBIDDEN_CLASSES) {
          if (Pattern.compile("\\b" + Pattern.quote(forbidden) + "\\b").matcher(text).find()) {
            breaches.add(name + " uses " + forbidden);
          }
        }
        for (String call : FORBIDDEN_CALLS) {
          int dot = call.lastIndexOf('.');
          String type = call.substring(0, dot);
          String simple = type.substring(type.lastIndexOf('.') + 1);
          Matcher m = Pattern.compile("\\b(" + Pattern.quote(type) + "|" + Pattern.quote(simple) + ")\\s*\\.\\s*"
              + Pattern.quote(call.substring(dot + 1)) + "\\s*\\(").matcher(text);
          boolean imported = text.contains("import " + type + ";") || text.contains(type + ".");
          if (m.find() && imported) {
            breaches.add(name + " calls " + call);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return breaches;
  }

  /** What a class file references: its constant pool's texts (names, descriptors) and methods (owner.name). */
  record References(Set<String> texts, Set<String> methods) {
  }

  static References references(Path classFile) throws IOException {
    try (InputStream raw = Files.newInputStream(classFile);
         DataInputStream in = new DataInputStream(new BufferedInputStream(raw))) {
      if (in.readInt() != 0xCAFEBABE) {
        throw new IOException(classFile + " is not a class file");
      }
      in.readUnsignedShort();
      in.readUnsignedShort();
      int count = in.readUnsignedShort();
      String[] utf8 = new String[count];
      int[] classNameIndex = new int[count];
      int[][] memberRefs = new int[count][];
      int[][] nameAndTypes = new int[count][];
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1 -> utf8[i] = in.readUTF();
          case 3, 4 -> in.readInt();
          case 5, 6 -> {
            in.readLong();
            i++;
          }
          case 7 -> classNameIndex[i] = in.readUnsignedShort();
          case 8, 16, 19, 20 -> in.readUnsignedShort();
          case 9, 10, 11 -> memberRefs[i] = new int[] {tag, in.readUnsignedShort(), in.readUnsignedShort()};
          case 12 -> nameAndTypes[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
          case 15 -> {
            in.readUnsignedByte();
            in.readUnsignedShort();
          }
          case 17, 18 -> {
            in.readUnsignedShort();
            in.readUnsignedShort();
          }
          default -> throw new IOException(classFile + ": unknown constant pool tag " + tag);
        }
      }
      Set<String> texts = new TreeSet<>();
      for (String s : utf8) {
        if (s != null) {
          texts.add(s);
        }
      }
      Set<String> methods = new TreeSet<>();
      for (int[] ref : memberRefs) {
        if (ref != null && ref[0] != 9) {
          String owner = utf8[classNameIndex[ref[1]]].replace('/', '.');
          methods.add(owner + "." + utf8[nameAndTypes[ref[2]][0]]);
        }
      }
      return new References(texts, methods);
    }
  }
}
