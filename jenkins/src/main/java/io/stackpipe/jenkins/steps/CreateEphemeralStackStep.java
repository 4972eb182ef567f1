package io.stackpipe.jenkins.steps;

import hudson.Extension;
import io.stackpipe.jenkins.StackpipeStep;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/** {@code createEphemeralStack}: a stack of a manifest (L3 by default); the owner defaults to the build's user. */
public class CreateEphemeralStackStep extends StackpipeStep {

  private final String name;
  private String owner;
  private String manifest = "l3";
  private String ttl = "7d";
  private String purpose;
  private String registryCredentialsId;

  @DataBoundConstructor
  public CreateEphemeralStackStep(String name) {
    this.name = name;
  }

  @DataBoundSetter public void setOwner(String owner) { this.owner = given("owner", owner, this.owner); }
  @DataBoundSetter public void setManifest(String manifest) { this.manifest = given("manifest", manifest, this.manifest); }
  @DataBoundSetter public void setTtl(String ttl) { this.ttl = given("ttl", ttl, this.ttl); }
  @DataBoundSetter public void setPurpose(String purpose) { this.purpose = given("purpose", purpose, this.purpose); }
  @DataBoundSetter public void setRegistryCredentialsId(String registryCredentialsId) {
    this.registryCredentialsId = given("registryCredentialsId", registryCredentialsId, this.registryCredentialsId);
  }

  public String getName() { return name; }
  public String getOwner() { return owner; }
  public String getManifest() { return manifest; }
  public String getTtl() { return ttl; }
  public String getPurpose() { return purpose; }
  public String getRegistryCredentialsId() { return registryCredentialsId; }

  @Override
  protected String stepName() {
    return "createEphemeralStack";
  }

  @Override
  protected Map<String, Object> values() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("name", name);
    v.put("owner", owner);
    v.put("manifest", manifest);
    v.put("ttl", ttl);
    v.put("purpose", purpose);
    v.put("registryCredentialsId", registryCredentialsId);
    return v;
  }

  @Extension
  @Symbol("createEphemeralStack")
  public static final class DescriptorImpl extends StackpipeStepDescriptor {
    @Override
    public String getFunctionName() {
      return "createEphemeralStack";
    }

    @Override
    public String getDisplayName() {
      return "Stackpipe: create an ephemeral stack";
    }
  }
}
