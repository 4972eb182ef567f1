package io.stackpipe.registry.auth;

import io.stackpipe.Secret;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * What one registry host is given when it asks: a user name and password, or an identity token (an OAuth2 refresh
 * token, as {@code docker login} stores for registries that issue one). {@code source} says where it came from, for
 * messages ({@code docker config /home/ci/.docker/config.json (auths)}); the secret is never part of a message.
 * {@code expires} is when a short-lived credential (a cloud registry's token) stops working, null for never: the
 * lookup asks its source again after it.
 */
public record RegistryCredential(String username, Secret password, Secret identityToken, String source,
    Instant expires) implements Serializable {

  public RegistryCredential {
    Objects.requireNonNull(source, "source");
    if ((password == null) == (identityToken == null)) {
      throw new IllegalArgumentException("a registry credential is a password or an identity token");
    }
  }

  public static RegistryCredential password(String username, Secret password, String source) {
    return new RegistryCredential(Objects.requireNonNull(username, "username"), password, null, source, null);
  }

  public static RegistryCredential identityToken(String username, Secret token, String source) {
    return new RegistryCredential(username, null, token, source, null);
  }

  /** The same credential, expiring at {@code value}. */
  public RegistryCredential expiring(Instant value) {
    return new RegistryCredential(username, password, identityToken, source, value);
  }

  boolean expired(Instant now) {
    return expires != null && !now.isBefore(expires);
  }

  /** {@code Basic …} for this user and password (an identity token is no Basic credential). */
  public String basicAuthorization() {
    if (password == null) {
      throw new IllegalStateException("an identity token is exchanged for a token, not sent as Basic");
    }
    return "Basic " + java.util.Base64.getEncoder().encodeToString(
        (username + ":" + password.reveal()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
