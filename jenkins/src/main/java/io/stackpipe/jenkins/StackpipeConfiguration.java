package io.stackpipe.jenkins;

import com.cloudbees.plugins.credentials.common.StandardListBoxModel;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import hudson.Extension;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.stackpipe.stack.Durations;
import io.stackpipe.installation.Installation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jenkins.model.GlobalConfiguration;
import jenkins.model.Jenkins;
import hudson.security.ACL;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.plaincredentials.FileCredentials;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/**
 * The installation-wide Stackpipe settings (Manage Jenkins → System, or configuration-as-code under
 * {@code unclassified: stackpipe:}). Holds credential ids, never secrets: they are resolved per build by
 * {@link Settings}.
 */
@Extension
@Symbol("stackpipe")
public class StackpipeConfiguration extends GlobalConfiguration {

  private String chartRegistry;
  private boolean plainHttp;
  private String kubeconfigCredentialsId;
  private String installation = "default";
  private String namespacePrefix = "";
  private String controlNamespace;
  private String manifestName = "platform";
  private String policyFile;
  private String ageKeyCredentialsId;
  private String awsCredentialsId;
  private String kmsEndpoint;
  private String readyTimeout = "5m";
  private String maxIdle = "7d";
  private String warnBefore = "";
  private boolean reaperDryRun;
  private List<RegistryCredentials> registryCredentials = new ArrayList<>();

  public StackpipeConfiguration() {
    load();
  }

  public static StackpipeConfiguration get() {
    return GlobalConfiguration.all().getInstance(StackpipeConfiguration.class);
  }

  public String getChartRegistry() { return chartRegistry; }
  public boolean isPlainHttp() { return plainHttp; }
  public String getKubeconfigCredentialsId() { return kubeconfigCredentialsId; }
  public String getInstallation() { return installation; }
  public String getNamespacePrefix() { return namespacePrefix; }
  public String getControlNamespace() { return controlNamespace; }
  public String getManifestName() { return manifestName; }
  public String getPolicyFile() { return policyFile; }
  public String getAgeKeyCredentialsId() { return ageKeyCredentialsId; }
  public String getAwsCredentialsId() { return awsCredentialsId; }
  public String getKmsEndpoint() { return kmsEndpoint; }
  public String getReadyTimeout() { return readyTimeout; }
  public String getMaxIdle() { return maxIdle; }
  public String getWarnBefore() { return warnBefore; }
  public boolean isReaperDryRun() { return reaperDryRun; }
  public List<RegistryCredentials> getRegistryCredentials() { return List.copyOf(registryCredentials); }

  @DataBoundSetter public void setChartRegistry(String v) { chartRegistry = blankToNull(v); save(); }
  @DataBoundSetter public void setPlainHttp(boolean v) { plainHttp = v; save(); }
  @DataBoundSetter public void setKubeconfigCredentialsId(String v) { kubeconfigCredentialsId = blankToNull(v); save(); }
  @DataBoundSetter public void setInstallation(String v) { installation = orDefault(v, "default"); save(); }
  @DataBoundSetter public void setNamespacePrefix(String v) { namespacePrefix = v == null ? "" : v.strip(); save(); }
  @DataBoundSetter public void setControlNamespace(String v) { controlNamespace = blankToNull(v); save(); }
  @DataBoundSetter public void setManifestName(String v) { manifestName = orDefault(v, "platform"); save(); }
  @DataBoundSetter public void setPolicyFile(String v) { policyFile = blankToNull(v); save(); }
  @DataBoundSetter public void setAgeKeyCredentialsId(String v) { ageKeyCredentialsId = blankToNull(v); save(); }
  @DataBoundSetter public void setAwsCredentialsId(String v) { awsCredentialsId = blankToNull(v); save(); }
  @DataBoundSetter public void setKmsEndpoint(String v) { kmsEndpoint = blankToNull(v); save(); }
  @DataBoundSetter public void setReadyTimeout(String v) { readyTimeout = orDefault(v, "5m"); save(); }
  @DataBoundSetter public void setMaxIdle(String v) { maxIdle = orDefault(v, "7d"); save(); }
  @DataBoundSetter public void setWarnBefore(String v) { warnBefore = orDefault(v, ""); save(); }
  @DataBoundSetter public void setReaperDryRun(boolean v) { reaperDryRun = v; save(); }
  @DataBoundSetter public void setRegistryCredentials(List<RegistryCredentials> v) {
    registryCredentials = v == null ? new ArrayList<>() : new ArrayList<>(v);
    save();
  }

  @POST
  public FormValidation doCheckChartRegistry(@QueryParameter String value) {
    Jenkins.get().checkPermission(Jenkins.ADMINISTER);
    return value.isBlank() || value.startsWith("oci://") ? FormValidation.ok()
        : FormValidation.error("an OCI registry URL such as oci://registry.example.com/charts");
  }

  @POST
  public FormValidation doCheckReadyTimeout(@QueryParameter String value) { return duration(value); }

  @POST
  public FormValidation doCheckMaxIdle(@QueryParameter String value) { return duration(value); }

  @POST
  public FormValidation doCheckWarnBefore(@QueryParameter String value) {
    // Empty is allowed: the default, which adapts to the idle time.
    return value == null || value.isBlank() ? FormValidation.ok() : duration(value);
  }

  /** Validates the policy file as the installation will, so a broken policy shows here rather than in a build. */
  @POST
  public FormValidation doCheckPolicyFile(@QueryParameter String value) {
    Jenkins.get().checkPermission(Jenkins.ADMINISTER);
    if (value.isBlank()) {
      return FormValidation.ok();
    }
    Path file = Path.of(value.strip());
    if (!Files.isRegularFile(file)) {
      return FormValidation.error("no file " + file + " on the controller");
    }
    try {
      Installation.builder().withPolicy(Files.readString(file, StandardCharsets.UTF_8), file.getFileName().toString())
          .build();
      return FormValidation.ok();
    } catch (IOException e) {
      return FormValidation.error("cannot read " + file + " on the controller");
    } catch (RuntimeException e) {
      return FormValidation.error(e.getMessage());
    }
  }

  @POST
  public ListBoxModel doFillKubeconfigCredentialsIdItems(@QueryParameter String kubeconfigCredentialsId) {
    return credentials(FileCredentials.class, kubeconfigCredentialsId);
  }

  @POST
  public ListBoxModel doFillAgeKeyCredentialsIdItems(@QueryParameter String ageKeyCredentialsId) {
    return credentials(FileCredentials.class, ageKeyCredentialsId);
  }

  @POST
  public ListBoxModel doFillAwsCredentialsIdItems(@QueryParameter String awsCredentialsId) {
    return credentials(StandardUsernamePasswordCredentials.class, awsCredentialsId);
  }

  static ListBoxModel credentials(Class<? extends com.cloudbees.plugins.credentials.common.StandardCredentials> type,
      String current) {
    if (!Jenkins.get().hasPermission(Jenkins.ADMINISTER)) {
      return new StandardListBoxModel().includeCurrentValue(current);
    }
    return new StandardListBoxModel().includeEmptyValue().includeAs(ACL.SYSTEM2, Jenkins.get(), type)
        .includeCurrentValue(current);
  }

  private static FormValidation duration(String value) {
    Jenkins.get().checkPermission(Jenkins.ADMINISTER);
    try {
      Durations.parse(value);
      return FormValidation.ok();
    } catch (IllegalArgumentException e) {
      return FormValidation.error(e.getMessage());
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value.strip();
  }
}
