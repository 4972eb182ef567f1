package io.stackpipe.jenkins;

import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import hudson.Extension;
import hudson.model.AbstractDescribableImpl;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.stackpipe.Secret;
import io.stackpipe.installation.Installation;
import jenkins.model.Jenkins;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/**
 * One entry of the global configuration's registry list: a registry host and the id of the username/password
 * credential it is given when it asks (an id, never the secret: {@link Settings} resolves it per build).
 */
public class RegistryCredentials extends AbstractDescribableImpl<RegistryCredentials> {

  private final String host;
  private final String credentialsId;

  @DataBoundConstructor
  public RegistryCredentials(String host, String credentialsId) {
    this.host = host == null ? null : host.strip();
    this.credentialsId = credentialsId == null ? null : credentialsId.strip();
  }

  public String getHost() { return host; }
  public String getCredentialsId() { return credentialsId; }

  @Extension
  public static class DescriptorImpl extends Descriptor<RegistryCredentials> {

    @Override
    public String getDisplayName() {
      return "Registry credentials";
    }

    /** Checks the host as the installation will (host[:port], no scheme or path). */
    @POST
    public FormValidation doCheckHost(@QueryParameter String value) {
      Jenkins.get().checkPermission(Jenkins.ADMINISTER);
      try {
        Installation.builder().withRegistryCredential(value.strip(), "check", Secret.of("check")).build();
        return FormValidation.ok();
      } catch (RuntimeException e) {
        return FormValidation.error(e.getMessage());
      }
    }

    @POST
    public ListBoxModel doFillCredentialsIdItems(@QueryParameter String credentialsId) {
      return StackpipeConfiguration.credentials(StandardUsernamePasswordCredentials.class, credentialsId);
    }
  }
}
