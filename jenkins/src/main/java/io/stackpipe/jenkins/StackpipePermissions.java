package io.stackpipe.jenkins;

import hudson.init.InitMilestone;
import hudson.init.Initializer;
import hudson.security.Permission;
import hudson.security.PermissionGroup;
import hudson.security.PermissionScope;
import jenkins.util.NonLocalizable;

/**
 * The {@code Stackpipe} permission group. {@link #DESTROY_PRODUCTION} is implied by no other permission (not even
 * Overall/Administer): an authorization strategy grants it only where it is granted by name (a ticked box in
 * matrix-based security). Builds run as SYSTEM unless given a user's authentication, and SYSTEM is refused
 * explicitly by {@code destroyStack}, so no build has it by default either.
 */
public final class StackpipePermissions {

  public static final PermissionGroup GROUP = new PermissionGroup("Stackpipe", StackpipePermissions.class,
      new NonLocalizable("Stackpipe"));

  /** Destroying a production stack (from the page, or {@code destroyStack} with {@code confirm:}). */
  public static final Permission DESTROY_PRODUCTION = new Permission(GROUP, "DestroyProduction",
      new NonLocalizable("Destroy a production stack of the installation (the page and destroyStack confirm:)."),
      null, true, new PermissionScope[] {PermissionScope.JENKINS});

  private StackpipePermissions() {
  }

  /** Loads the class before the security configuration is read, so its permission ids resolve and are listed. */
  @Initializer(after = InitMilestone.PLUGINS_STARTED, before = InitMilestone.SYSTEM_CONFIG_LOADED)
  public static void register() {
    // Loading the class registers GROUP and DESTROY_PRODUCTION.
  }
}
