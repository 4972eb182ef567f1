package io.stackpipe.registry.ecr;

import io.stackpipe.Secret;
import java.time.Instant;

/**
 * A registry credential from ECR: Basic credentials (user {@code AWS}, the authorization token's password) for one
 * registry host, valid until {@code expiresAt} (12 hours after it was issued).
 *
 * @param host the registry host, {@code ACCOUNT.dkr.ecr.REGION.amazonaws.com}
 * @param username always {@code AWS}
 * @param password the token's password, never printed
 * @param expiresAt when ECR stops accepting it
 * @param source where it came from, for messages: {@code ecr (HOST)}
 */
public record EcrCredential(String host, String username, Secret password, Instant expiresAt, String source) {
}
