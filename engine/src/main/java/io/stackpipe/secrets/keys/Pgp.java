package io.stackpipe.secrets.keys;

import io.stackpipe.secrets.core.SecretsException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPEncryptedData;
import org.bouncycastle.openpgp.PGPEncryptedDataGenerator;
import org.bouncycastle.openpgp.PGPEncryptedDataList;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyEncryptedData;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDataEncryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyDataDecryptorFactory;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyKeyEncryptionMethodGenerator;

/**
 * OpenPGP data-key wrapping with BouncyCastle, from keys given explicitly (no gpg agent or keyring lookup): secret
 * keys unwrap, public keys (or the public half of secret keys) wrap, as sops' pgp key source does with gpg.
 */
public final class Pgp {
  private Pgp() {
  }

  /** Secret and public key rings read from armored or binary key files. toString never shows key material. */
  public static final class Keyring {
    private final List<PGPSecretKeyRing> secret = new ArrayList<>();
    private final List<PGPPublicKeyRing> pub = new ArrayList<>();
    private final char[] passphrase;

    private Keyring(char[] passphrase) {
      this.passphrase = passphrase;
    }

    public static Keyring empty() {
      return new Keyring(new char[0]);
    }

    /** Reads every key ring (secret or public) in the given key file contents. */
    public static Keyring of(String armoredKeys, char[] passphrase) {
      return new Keyring(passphrase.clone()).read(armoredKeys);
    }

    /** A new keyring holding these keys and the keys of the given key file contents. */
    public Keyring add(String armoredKeys) {
      Keyring k = new Keyring(passphrase);
      k.secret.addAll(secret);
      k.pub.addAll(pub);
      k.read(armoredKeys);
      return k;
    }

    private Keyring read(String armoredKeys) {
      byte[] data = armoredKeys.getBytes(StandardCharsets.US_ASCII);
      try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(data))) {
        BcPGPObjectFactory f = new BcPGPObjectFactory(in);
        Object o;
        while ((o = f.nextObject()) != null) {
          if (o instanceof PGPSecretKeyRing r) {
            secret.add(r);
          } else if (o instanceof PGPPublicKeyRing r) {
            pub.add(r);
          }
        }
      } catch (IOException e) {
        throw new SecretsException("cannot read PGP keys (" + e.getClass().getSimpleName() + ")");
      }
      return this;
    }

    public boolean isEmpty() {
      return secret.isEmpty() && pub.isEmpty();
    }

    PGPPrivateKey privateKey(long keyId) {
      for (PGPSecretKeyRing r : secret) {
        PGPSecretKey k = r.getSecretKey(keyId);
        if (k != null) {
          try {
            return k.extractPrivateKey(new BcPBESecretKeyDecryptorBuilder(new BcPGPDigestCalculatorProvider())
                .build(passphrase));
          } catch (PGPException e) {
            throw new SecretsException("cannot unlock PGP secret key " + Long.toHexString(keyId).toUpperCase(Locale.ROOT)
                + " (wrong passphrase?)");
          }
        }
      }
      return null;
    }

    /** The encryption key of the ring whose primary (or any) key has this fingerprint. */
    PGPPublicKey encryptionKey(String fingerprint) {
      String want = fingerprint.replace(" ", "").toUpperCase(Locale.ROOT);
      List<Iterator<PGPPublicKey>> rings = new ArrayList<>();
      for (PGPSecretKeyRing r : secret) {
        rings.add(r.getPublicKeys());
      }
      for (PGPPublicKeyRing r : pub) {
        rings.add(r.getPublicKeys());
      }
      for (Iterator<PGPPublicKey> it : rings) {
        List<PGPPublicKey> keys = new ArrayList<>();
        it.forEachRemaining(keys::add);
        boolean match = keys.stream().anyMatch(k -> fingerprint(k).endsWith(want));
        if (match) {
          for (PGPPublicKey k : keys) {
            if (k.isEncryptionKey() && !k.hasRevocation()) {
              return k;
            }
          }
        }
      }
      return null;
    }

    @Override
    public String toString() {
      return "PGP keyring (" + secret.size() + " secret, " + pub.size() + " public)";
    }
  }

  static String fingerprint(PGPPublicKey k) {
    return HexFormat.of().withUpperCase().formatHex(k.getFingerprint());
  }

  static byte[] decrypt(String armoredMessage, Keyring keys) {
    try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(armoredMessage.getBytes(StandardCharsets.US_ASCII)))) {
      BcPGPObjectFactory f = new BcPGPObjectFactory(in);
      Object o = f.nextObject();
      while (o != null && !(o instanceof PGPEncryptedDataList)) {
        o = f.nextObject();
      }
      if (o == null) {
        throw new SecretsException("not a PGP encrypted message");
      }
      List<String> tried = new ArrayList<>();
      for (PGPEncryptedData ed : (PGPEncryptedDataList) o) {
        if (!(ed instanceof PGPPublicKeyEncryptedData pk)) {
          continue;
        }
        PGPPrivateKey priv = keys.privateKey(pk.getKeyID());
        if (priv == null) {
          tried.add(Long.toHexString(pk.getKeyID()).toUpperCase(Locale.ROOT));
          continue;
        }
        try (InputStream clear = pk.getDataStream(new BcPublicKeyDataDecryptorFactory(priv))) {
          byte[] plain = literal(new BcPGPObjectFactory(clear).nextObject());
          if (pk.isIntegrityProtected() && !pk.verify()) {
            throw new SecretsException("PGP message fails its integrity check");
          }
          return plain;
        }
      }
      throw new SecretsException("no PGP secret key for " + (tried.isEmpty() ? "this message" : "key id " + String.join(", ", tried)));
    } catch (IOException | PGPException e) {
      throw new SecretsException("PGP decryption failed (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static byte[] literal(Object o) throws IOException, PGPException {
    if (o instanceof PGPCompressedData c) {
      return literal(new BcPGPObjectFactory(c.getDataStream()).nextObject());
    }
    if (o instanceof PGPLiteralData l) {
      return l.getInputStream().readAllBytes();
    }
    throw new SecretsException("unexpected PGP packet in message");
  }

  static String encrypt(byte[] data, String fingerprint, Keyring keys) {
    PGPPublicKey key = keys.encryptionKey(fingerprint);
    if (key == null) {
      throw new SecretsException("no PGP public key with fingerprint " + fingerprint + " was given");
    }
    try {
      PGPEncryptedDataGenerator gen = new PGPEncryptedDataGenerator(
          new BcPGPDataEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256).setWithIntegrityPacket(true)
              .setSecureRandom(new SecureRandom()));
      gen.addMethod(new BcPublicKeyKeyEncryptionMethodGenerator(key));
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      try (ArmoredOutputStream armor = ArmoredOutputStream.builder().clearHeaders().build(buf);
         OutputStream enc = gen.open(armor, new byte[1 << 12]);
         OutputStream lit = new PGPLiteralDataGenerator().open(enc, PGPLiteralData.BINARY, "", data.length, new Date())) {
        lit.write(data);
      }
      return buf.toString(StandardCharsets.US_ASCII);
    } catch (IOException | PGPException e) {
      throw new SecretsException("PGP encryption to " + fingerprint + " failed (" + e.getClass().getSimpleName() + ")");
    }
  }
}
