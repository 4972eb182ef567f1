package io.stackpipe.secrets.core;

import java.util.Map;

/** One recipient of a file's data key (or of its Shamir share), as stored in the sops metadata. */
public sealed interface MasterKey {
  /** How errors and listings name the key: "kms arn:…", "age age1…", "pgp FINGERPRINT". */
  String describe();

  /** The wrapped data key as stored ("enc"). */
  String enc();

  /** A copy holding a newly wrapped data key. */
  MasterKey withEnc(String enc, String createdAt);

  /** Identity ignoring the wrapped key, to compare key sets in updatekeys. */
  String identity();

  record Age(String recipient, String enc) implements MasterKey {
    public String describe() {
      return "age " + recipient;
    }

    public MasterKey withEnc(String e, String createdAt) {
      return new Age(recipient, e);
    }

    public String identity() {
      return describe();
    }
  }

  record Pgp(String fingerprint, String enc, String createdAt) implements MasterKey {
    public String describe() {
      return "pgp " + fingerprint;
    }

    public MasterKey withEnc(String e, String c) {
      return new Pgp(fingerprint, e, c);
    }

    public String identity() {
      return "pgp " + fingerprint.toUpperCase(java.util.Locale.ROOT);
    }
  }

  /** AWS KMS key; {@code context} is the EncryptionContext, {@code role} an IAM role to assume first. */
  record Kms(String arn, String role, Map<String, String> context, String awsProfile, String enc, String createdAt)
      implements MasterKey {
    public Kms {
      context = context == null ? Map.of() : Map.copyOf(new java.util.TreeMap<>(context));
      role = role == null ? "" : role;
      awsProfile = awsProfile == null ? "" : awsProfile;
    }

    public String describe() {
      return "kms " + arn + (role.isEmpty() ? "" : " (role " + role + ")");
    }

    public MasterKey withEnc(String e, String c) {
      return new Kms(arn, role, context, awsProfile, e, c);
    }

    public String identity() {
      return "kms " + arn + "|" + role + "|" + new java.util.TreeMap<>(context) + "|" + awsProfile;
    }
  }

  /** A key type this engine does not unwrap (gcp_kms, azure_kv, hc_vault, hckms): kept verbatim on rewrite. */
  record Other(String type, Map<String, Object> fields) implements MasterKey {
    public String describe() {
      return type + " " + fields.getOrDefault("resource_id", fields.getOrDefault("vault_url",
          fields.getOrDefault("key_name", fields.getOrDefault("key_id", "?"))));
    }

    public String enc() {
      return String.valueOf(fields.get("enc"));
    }

    public MasterKey withEnc(String e, String c) {
      throw new SecretsException(describe() + ": this key type is not supported for encryption");
    }

    public String identity() {
      return type + " " + fields;
    }
  }
}
