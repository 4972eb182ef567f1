package io.stackpipe.secrets.keys;

import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.bech32.Bech32;
import com.exceptionfactory.jagged.bech32.Bech32Address;
import com.exceptionfactory.jagged.framework.armor.ArmoredDecryptingChannelFactory;
import com.exceptionfactory.jagged.framework.armor.ArmoredEncryptingChannelFactory;
import com.exceptionfactory.jagged.x25519.X25519KeyFactory;
import com.exceptionfactory.jagged.x25519.X25519KeyPairGenerator;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaReaderFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaWriterFactory;
import io.stackpipe.secrets.core.SecretsException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.crypto.spec.SecretKeySpec;

/**
 * age (age-encryption.org/v1) X25519 wrapping of sops data keys, on jagged: each wrapped key is an armored age file
 * with one X25519 stanza, as sops writes it.
 */
public final class Age {
  private Age() {
  }

  /** An X25519 identity ("AGE-SECRET-KEY-1…"). toString never shows the secret. */
  public static final class Identity {
    private final String secretKey;
    private final String recipient;
    private final RecipientStanzaReader reader;

    private Identity(String secretKey, String recipient) throws GeneralSecurityException {
      this.secretKey = secretKey;
      this.recipient = recipient;
      this.reader = X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(secretKey);
    }

    public static Identity parse(String s) {
      String t = s.strip().toUpperCase(Locale.ROOT);
      try {
        Bech32Address a = Bech32.getDecoder().decode(t);
        if (!a.getHumanReadablePart().toString().equalsIgnoreCase("age-secret-key-") || a.getData().length != 32) {
          throw new SecretsException("not an age X25519 identity (expected AGE-SECRET-KEY-1…)");
        }
        String recipient = new X25519KeyFactory().translateKey(new SecretKeySpec(t.getBytes(StandardCharsets.US_ASCII), "X25519"))
            .toString();
        return new Identity(t, recipient);
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        // the library's message may quote the key: never repeat it
        throw new SecretsException("malformed age identity (" + e.getClass().getSimpleName() + ")");
      }
    }

    /** Reads every identity line of an age key file (comments and blank lines skipped). */
    public static List<Identity> parseAll(String keyFile) {
      List<Identity> out = new ArrayList<>();
      for (String line : keyFile.split("\\R")) {
        String l = line.strip();
        if (!l.isEmpty() && !l.startsWith("#")) {
          out.add(parse(l));
        }
      }
      return out;
    }

    public static Identity generate() {
      try {
        KeyPair pair = new X25519KeyPairGenerator().generateKeyPair();
        return new Identity(pair.getPrivate().toString(), pair.getPublic().toString());
      } catch (GeneralSecurityException e) {
        throw new SecretsException("cannot generate an age identity (" + e.getClass().getSimpleName() + ")");
      }
    }

    public String recipient() {
      return recipient;
    }

    /** The secret in age's text form, for writing key files. */
    public String secretKey() {
      return secretKey;
    }

    @Override
    public String toString() {
      return "age identity for " + recipient;
    }
  }

  /** Encrypts {@code plaintext} to one X25519 recipient as an armored age file (what sops stores in age[].enc). */
  public static String encrypt(byte[] plaintext, String recipient) {
    checkRecipient(recipient);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      RecipientStanzaWriter writer = X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(recipient.strip());
      try (OutputStream enc = Channels.newOutputStream(new ArmoredEncryptingChannelFactory()
          .newEncryptingChannel(Channels.newChannel(out), List.of(writer)))) {
        enc.write(plaintext);
      }
    } catch (GeneralSecurityException | IOException e) {
      throw new SecretsException("age encryption to " + recipient + " failed (" + e.getClass().getSimpleName() + ")");
    }
    return out.toString(StandardCharsets.US_ASCII);
  }

  /**
   * Decrypts an armored age file with the first identity that matches one of its X25519 stanzas. Fails with a
   * message saying how many identities were tried when none matches.
   */
  public static byte[] decrypt(String armored, List<Identity> identities) {
    if (identities.isEmpty()) {
      throw new SecretsException("no age identity available");
    }
    List<RecipientStanzaReader> readers = identities.stream().map(i -> i.reader).toList();
    try (InputStream in = Channels.newInputStream(new ArmoredDecryptingChannelFactory().newDecryptingChannel(
        Channels.newChannel(new ByteArrayInputStream(armored.strip().getBytes(StandardCharsets.US_ASCII))), readers))) {
      return in.readAllBytes();
    } catch (GeneralSecurityException e) {
      throw new SecretsException("none of the " + identities.size() + " age identities matches ("
          + e.getClass().getSimpleName() + ")");
    } catch (IOException e) {
      throw new SecretsException("not a valid armored age file (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** Refuses anything but an age X25519 recipient ("age1…"). */
  public static void checkRecipient(String recipient) {
    try {
      Bech32Address a = Bech32.getDecoder().decode(recipient.strip());
      if (a.getHumanReadablePart().toString().equals("age") && a.getData().length == 32) {
        return;
      }
    } catch (RuntimeException e) {
      // reported below
    }
    throw new SecretsException("malformed age recipient '" + recipient + "'");
  }
}
