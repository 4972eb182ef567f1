package io.stackpipe.secrets;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The document formats supported, chosen like sops by extension (with a content sniff for unknown extensions). */
public enum FileFormat {
    YAML, JSON;

    public static FileFormat of(Path file, String content) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".json")) {
            return JSON;
        }
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            return YAML;
        }
        if (name.endsWith(".env") || name.endsWith(".ini")) {
            throw new SecretsException(file + ": dotenv and ini sops files are not supported (use YAML or JSON)");
        }
        return content.stripLeading().startsWith("{") ? JSON : YAML;
    }

    List<Tree.Branch> parse(String content, Object file) {
        try {
            return this == JSON ? JsonStore.parse(content) : YamlStore.parse(content);
        } catch (SecretsException e) {
            throw e.inFile(file);
        } catch (RuntimeException e) {
            // parser messages quote at most a line/column marker, never a whole value
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new SecretsException(file + ": not valid " + this + ": " + msg);
        }
    }

    String emit(List<Tree.Branch> branches) {
        return this == JSON ? JsonStore.emit(branches) : YamlStore.emit(branches);
    }

    String emitValue(Object value) {
        return this == JSON ? JsonStore.emitValue(value) : YamlStore.emitValue(value);
    }
}
