package io.stackpipe.local.kube;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemGenerationException;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The control plane's certificate authority: CA and serving certificates (EC P-256, fast to generate), client
 * certificates (RSA, the one key type fabric8 reads without hints), and the RSA key pair that signs service-account tokens. Everything lives only in memory and in the control
 * plane's private directory.
 */
final class Pki {

  /** A certificate with its key, PEM-encoded as kube-apiserver and kubeconfig files want them. */
  record Credential(X509Certificate certificate, PrivateKey key) {
    String certificatePem() {
      return pem(certificate);
    }

    String keyPem() {
      return pkcs8(key);
    }
  }

  private static final Duration VALIDITY = Duration.ofDays(365);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Credential ca;

  private Pki(Credential ca) {
    this.ca = ca;
  }

  static Pki create() {
    KeyPair keys = ecKeyPair();
    X500Name name = name("stackpipe-control-plane-ca", Set.of());
    Credential ca = sign(name, keys.getPublic(), name, keys.getPrivate(), builder -> {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    }, keys.getPrivate());
    return new Pki(ca);
  }

  Credential ca() {
    return ca;
  }

  /** A TLS context that presents {@code client} and trusts this CA alone. */
  SSLContext tlsContext(Credential client) {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      char[] password = new char[0];
      keys.setKeyEntry("admin", client.key(), password, new Certificate[] {client.certificate()});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca.certificate());
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a TLS context for the control plane", e);
    }
  }

  /** A TLS server certificate (kube-apiserver, the kubelet) valid for the given names and addresses. */
  Credential serving(String commonName, List<String> dnsNames, List<String> ipAddresses) {
    KeyPair keys = ecKeyPair();
    List<GeneralName> names = new ArrayList<>();
    dnsNames.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
    ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
    return sign(name(commonName, Set.of()), keys.getPublic(), issuer(), ca.key(), builder -> {
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
    }, keys.getPrivate());
  }

  /** A client certificate: Kubernetes reads the user from CN and the groups from O. */
  Credential client(String user, Set<String> groups) {
    KeyPair keys = rsaKeyPair(); // fabric8 reads RSA client keys only (EC ones need a key-algo hint)
    return sign(name(user, groups), keys.getPublic(), issuer(), ca.key(), builder -> {
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
    }, keys.getPrivate());
  }

  /** Writes an RSA key pair for signing service-account tokens as PKCS#8 / SPKI PEM files. */
  static void writeServiceAccountKeys(Path privateKey, Path publicKey) {
    try {
      KeyPair keys = rsaKeyPair();
      writePrivate(privateKey, pkcs8(keys.getPrivate()));
      Files.writeString(publicKey, pem(keys.getPublic()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Private keys are written owner-only, and created that way (no window with wider permissions). */
  static void writePrivate(Path file, String content) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }

  static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** PKCS#8 ("PRIVATE KEY") is the one private-key PEM that Go, fabric8 and the JDK all read. */
  static String pkcs8(PrivateKey key) {
    try {
      return pem(new JcaPKCS8Generator(key, null).generate());
    } catch (PemGenerationException e) {
      throw new IllegalStateException("cannot encode a private key", e);
    }
  }

  private X500Name issuer() {
    return X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
  }

  private interface Extensions {
    void add(X509v3CertificateBuilder builder) throws IOException, GeneralSecurityException;
  }

  private static Credential sign(X500Name subject, PublicKey subjectKey, X500Name issuer, PrivateKey issuerKey,
      Extensions extensions, PrivateKey subjectPrivate) {
    Instant now = Instant.now();
    try {
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, RANDOM),
          Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject, subjectKey);
      builder.addExtension(Extension.subjectKeyIdentifier, false,
          new JcaX509ExtensionUtils().createSubjectKeyIdentifier(subjectKey));
      extensions.add(builder);
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey);
      X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
      return new Credential(certificate, subjectPrivate);
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot issue a certificate for " + subject, e);
    }
  }

  private static X500Name name(String commonName, Set<String> organizations) {
    X500NameBuilder builder = new X500NameBuilder(BCStyle.INSTANCE);
    organizations.stream().sorted().forEach(o -> builder.addRDN(BCStyle.O, o));
    builder.addRDN(BCStyle.CN, commonName);
    return builder.build();
  }

  private static KeyPair rsaKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048, RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an RSA key pair", e);
    }
  }

  private static KeyPair ecKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256, RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an EC key pair", e);
    }
  }
}
