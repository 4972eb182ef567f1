package io.stackpipe.jenkins;

import com.cloudbees.plugins.credentials.common.StandardListBoxModel;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import hudson.Extension;
import hudson.model.Descriptor.FormException;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.stackpipe.stack.Durations;
import io.stackpipe.Secret;
import io.stackpipe.StackpipeException;
import io.stackpipe.base.Messages;
import io.stackpipe.installation.Installation;
import io.stackpipe.installation.InstallationCheck;
import io.stackpipe.installation.SessionEnvironment;
import io.stackpipe.stack.ReapPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jenkins.model.GlobalConfiguration;
import jenkins.model.Jenkins;
import net.sf.json.JSONObject;
import hudson.security.ACL;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.plaincredentials.FileCredentials;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.StaplerRequest2;
import org.kohsuke.stapler.verb.POST;

/**
 * The installation-wide Stackpipe settings (Manage Jenkins → System, or configuration-as-code under
 * {@code unclassified: stackpipe:}). Holds credential ids, never secrets: they are resolved per build by
 * {@link Settings}.
 */
@Extension
@Symbol("stackpipe")
public class StackpipeConfiguration extends GlobalConfiguration {

  // What the engine calls a setting, as this form calls it.
  private static final Map<String, String> FORM_FIELDS = Map.of("charts", "chartRegistry", "id", "installation",
      "kubeconfig", "kubeconfigCredentialsId", "clusterToken", "clusterTokenCredentialsId", "timeout",
      "readyTimeout", "policy", "policyFile");
  // A credential's stand-in for the check: the form holds only its id, a build resolves it.
  private static final String CREDENTIAL = "credential";

  private String chartRegistry;
  private boolean plainHttp;
  private boolean createRepositories;
  private String kubeconfigCredentialsId;
  private String context;
  private String clusterServer;
  private String clusterTokenCredentialsId;
  private String clusterCertificateAuthority;
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

  // Setters save at once (configuration-as-code sets fields one by one); while the form binds, nothing is saved
  // until the whole form passed the check, so a form never saves what its own checks refuse.
  private transient boolean binding;

  public StackpipeConfiguration() {
    load();
  }

  @Override
  public boolean configure(StaplerRequest2 request, JSONObject json) throws FormException {
    binding = true;
    try {
      request.bindJSON(this, json);
    } finally {
      binding = false;
    }
    try {
      check();
    } catch (FormException e) {
      load(); // back to what was saved: the refused form changes nothing
      throw e;
    }
    save();
    return true;
  }

  /**
   * Every setting checked as the engine takes it, at once (the engine's {@link Installation} and reap policy
   * name the first wrong one); credentials are only named here and resolved per build, so their presence is
   * what is checked.
   */
  void check() throws FormException {
    try {
      Installation.Builder builder = Installation.builder().withCharts(chartRegistry).withPlainHttp(plainHttp)
          .withContext(context).withClusterServer(clusterServer)
          .withClusterCertificateAuthority(clusterCertificateAuthority).withId(installation)
          .withNamespacePrefix(namespacePrefix).withControlNamespace(controlNamespace).withManifestName(manifestName)
          .withKmsEndpoint(kmsEndpoint).withTimeout(duration("readyTimeout", readyTimeout));
      if (kubeconfigCredentialsId != null) {
        builder.withKubeconfig(Secret.of(CREDENTIAL));
      }
      if (clusterTokenCredentialsId != null) {
        builder.withClusterToken(Secret.of(CREDENTIAL));
      }
      for (RegistryCredentials registry : registryCredentials) {
        // The user name comes with the credential at build time; the host is what this form gives.
        builder.withRegistryCredential(registry.getHost(), "user", Secret.of(CREDENTIAL));
      }
      if (policyFile != null) {
        Path file = Path.of(policyFile);
        builder.withPolicy(Files.readString(file, StandardCharsets.UTF_8), file.getFileName().toString());
      }
      builder.build();
      ReapPolicy.DEFAULT.with(duration("maxIdle", maxIdle),
          warnBefore.isBlank() ? null : duration("warnBefore", warnBefore), null);
    } catch (StackpipeException e) {
      String field = FORM_FIELDS.getOrDefault(e.field().orElse(""), e.field().orElse(null));
      throw new FormException("Stackpipe: " + (field == null ? "" : field + ": ") + e.getMessage(), field);
    } catch (IOException e) {
      throw new FormException("Stackpipe: policyFile: cannot read " + policyFile + " on the controller",
          "policyFile");
    }
  }

  private static java.time.Duration duration(String field, String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw StackpipeException.ofField(field, e.getMessage());
    }
  }

  public static StackpipeConfiguration get() {
    return GlobalConfiguration.all().getInstance(StackpipeConfiguration.class);
  }

  public String getChartRegistry() { return chartRegistry; }
  public boolean isPlainHttp() { return plainHttp; }
  public boolean isCreateRepositories() { return createRepositories; }
  public String getKubeconfigCredentialsId() { return kubeconfigCredentialsId; }
  public String getContext() { return context; }
  public String getClusterServer() { return clusterServer; }
  public String getClusterTokenCredentialsId() { return clusterTokenCredentialsId; }
  public String getClusterCertificateAuthority() { return clusterCertificateAuthority; }
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

  @DataBoundSetter public void setChartRegistry(String v) { chartRegistry = blankToNull(v); saved(); }
  @DataBoundSetter public void setPlainHttp(boolean v) { plainHttp = v; saved(); }
  @DataBoundSetter public void setCreateRepositories(boolean v) { createRepositories = v; saved(); }
  @DataBoundSetter public void setKubeconfigCredentialsId(String v) { kubeconfigCredentialsId = blankToNull(v); saved(); }
  @DataBoundSetter public void setContext(String v) { context = blankToNull(v); saved(); }
  @DataBoundSetter public void setClusterServer(String v) { clusterServer = blankToNull(v); saved(); }
  @DataBoundSetter public void setClusterTokenCredentialsId(String v) { clusterTokenCredentialsId = blankToNull(v); saved(); }
  @DataBoundSetter public void setClusterCertificateAuthority(String v) { clusterCertificateAuthority = blankToNull(v); saved(); }
  @DataBoundSetter public void setInstallation(String v) { installation = orDefault(v, "default"); saved(); }
  @DataBoundSetter public void setNamespacePrefix(String v) { namespacePrefix = v == null ? "" : v.strip(); saved(); }
  @DataBoundSetter public void setControlNamespace(String v) { controlNamespace = blankToNull(v); saved(); }
  @DataBoundSetter public void setManifestName(String v) { manifestName = orDefault(v, "platform"); saved(); }
  @DataBoundSetter public void setPolicyFile(String v) { policyFile = blankToNull(v); saved(); }
  @DataBoundSetter public void setAgeKeyCredentialsId(String v) { ageKeyCredentialsId = blankToNull(v); saved(); }
  @DataBoundSetter public void setAwsCredentialsId(String v) { awsCredentialsId = blankToNull(v); saved(); }
  @DataBoundSetter public void setKmsEndpoint(String v) { kmsEndpoint = blankToNull(v); saved(); }
  @DataBoundSetter public void setReadyTimeout(String v) { readyTimeout = orDefault(v, "5m"); saved(); }
  @DataBoundSetter public void setMaxIdle(String v) { maxIdle = orDefault(v, "7d"); saved(); }
  @DataBoundSetter public void setWarnBefore(String v) { warnBefore = orDefault(v, ""); saved(); }
  @DataBoundSetter public void setReaperDryRun(boolean v) { reaperDryRun = v; saved(); }
  @DataBoundSetter public void setRegistryCredentials(List<RegistryCredentials> v) {
    registryCredentials = v == null ? new ArrayList<>() : new ArrayList<>(v);
    saved();
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
  public FormValidation doCheckInstallation(@QueryParameter String value) {
    return setting(b -> b.withId(orDefault(value, "default")));
  }

  @POST
  public FormValidation doCheckNamespacePrefix(@QueryParameter String value) {
    return setting(b -> b.withNamespacePrefix(value == null ? "" : value.strip()));
  }

  @POST
  public FormValidation doCheckControlNamespace(@QueryParameter String value) {
    return setting(b -> b.withControlNamespace(blankToNull(value)));
  }

  @POST
  public FormValidation doCheckManifestName(@QueryParameter String value) {
    return setting(b -> b.withManifestName(orDefault(value, "platform")));
  }

  @POST
  public FormValidation doCheckKmsEndpoint(@QueryParameter String value) {
    return setting(b -> b.withKmsEndpoint(blankToNull(value)));
  }

  @POST
  public FormValidation doCheckClusterServer(@QueryParameter String value) {
    return value == null || value.isBlank() ? FormValidation.ok()
        : setting(b -> b.withClusterServer(value.strip()).withClusterToken(Secret.of(CREDENTIAL)));
  }

  @POST
  public FormValidation doCheckClusterCertificateAuthority(@QueryParameter String value) {
    return value == null || value.isBlank() ? FormValidation.ok()
        : setting(b -> b.withClusterServer("https://api.example.com").withClusterToken(Secret.of(CREDENTIAL))
            .withClusterCertificateAuthority(value));
  }

  /** One setting checked by the engine alone, the others at their defaults. */
  private static FormValidation setting(java.util.function.Consumer<Installation.Builder> set) {
    Jenkins.get().checkPermission(Jenkins.ADMINISTER);
    Installation.Builder builder = Installation.builder();
    set.accept(builder);
    try {
      builder.build();
      return FormValidation.ok();
    } catch (StackpipeException e) {
      return FormValidation.error(e.getMessage());
    }
  }

  /**
   * "Test connection": the form's settings as they stand (unsaved; the registry credentials are the saved list),
   * with their credentials resolved as the controller's own work resolves them, checked by the engine
   * ({@link InstallationCheck}) from the controller: one line per part, cluster, registry and keys. Reads only.
   */
  @POST
  public FormValidation doTestConnection(@QueryParameter String chartRegistry, @QueryParameter boolean plainHttp,
      @QueryParameter String kubeconfigCredentialsId, @QueryParameter String context,
      @QueryParameter String clusterServer, @QueryParameter String clusterTokenCredentialsId,
      @QueryParameter String clusterCertificateAuthority, @QueryParameter String installation,
      @QueryParameter String namespacePrefix, @QueryParameter String controlNamespace,
      @QueryParameter String manifestName, @QueryParameter String ageKeyCredentialsId,
      @QueryParameter String awsCredentialsId, @QueryParameter String kmsEndpoint) {
    Jenkins.get().checkPermission(Jenkins.ADMINISTER);
    StackpipeConfiguration form = new StackpipeConfiguration();
    form.binding = true; // a copy for this check only: its setters never save
    form.setChartRegistry(chartRegistry);
    form.setPlainHttp(plainHttp);
    form.setKubeconfigCredentialsId(kubeconfigCredentialsId);
    form.setContext(context);
    form.setClusterServer(clusterServer);
    form.setClusterTokenCredentialsId(clusterTokenCredentialsId);
    form.setClusterCertificateAuthority(clusterCertificateAuthority);
    form.setInstallation(installation);
    form.setNamespacePrefix(namespacePrefix);
    form.setControlNamespace(controlNamespace);
    form.setManifestName(manifestName);
    form.setAgeKeyCredentialsId(ageKeyCredentialsId);
    form.setAwsCredentialsId(awsCredentialsId);
    form.setKmsEndpoint(kmsEndpoint);
    InstallationCheck.Report report;
    try {
      Settings settings = Settings.forController(form);
      Map<String, String> variables = new LinkedHashMap<>(System.getenv());
      settings.environment().forEach((name, value) -> variables.put(name, value.reveal()));
      report = settings.steps().toInstallation().check(new SessionEnvironment(variables,
          Path.of(System.getProperty("user.home")), null, null, Set.of(), line -> { })).call();
    } catch (IOException | RuntimeException e) {
      return FormValidation.error(Messages.firstLine(e));
    }
    List<FormValidation> lines = new ArrayList<>();
    for (InstallationCheck.Line line : report.lines()) {
      String text = line.part().name().toLowerCase(Locale.ROOT) + ": " + line.message();
      lines.add(switch (line.outcome()) {
        case OK -> FormValidation.ok(text);
        case SKIPPED -> FormValidation.warning(text);
        case FAILED -> FormValidation.error(text);
      });
    }
    return FormValidation.aggregate(lines);
  }

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
  public ListBoxModel doFillClusterTokenCredentialsIdItems(@QueryParameter String clusterTokenCredentialsId) {
    return credentials(StringCredentials.class, clusterTokenCredentialsId);
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

  private void saved() {
    if (!binding) {
      save();
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value.strip();
  }
}
