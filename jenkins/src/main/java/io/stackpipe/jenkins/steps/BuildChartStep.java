package io.stackpipe.jenkins.steps;

import hudson.Extension;
import io.stackpipe.jenkins.StackpipeStep;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/** {@code buildChart}: checks, packages and (with {@code push: true}) publishes the service chart in the workspace. */
public class BuildChartStep extends StackpipeStep {

  private String chart = ".";
  private String version;
  private String image;
  private boolean push = false;
  private String appVersion;
  private boolean plainHttp = false;
  private String registryCredentialsId;

  @DataBoundConstructor
  public BuildChartStep() {
  }

  @DataBoundSetter public void setChart(String chart) { this.chart = given("chart", chart, this.chart); }
  @DataBoundSetter public void setVersion(String version) { this.version = given("version", version, this.version); }
  @DataBoundSetter public void setImage(String image) { this.image = given("image", image, this.image); }
  @DataBoundSetter public void setPush(boolean push) { this.push = push; given("push"); }
  @DataBoundSetter public void setAppVersion(String appVersion) { this.appVersion = given("appVersion", appVersion, this.appVersion); }
  @DataBoundSetter public void setPlainHttp(boolean plainHttp) { this.plainHttp = plainHttp; given("plainHttp"); }
  @DataBoundSetter public void setRegistryCredentialsId(String registryCredentialsId) {
    this.registryCredentialsId = given("registryCredentialsId", registryCredentialsId, this.registryCredentialsId);
  }

  public String getChart() { return chart; }
  public String getVersion() { return version; }
  public String getImage() { return image; }
  public boolean isPush() { return push; }
  public String getAppVersion() { return appVersion; }
  public boolean isPlainHttp() { return plainHttp; }
  public String getRegistryCredentialsId() { return registryCredentialsId; }

  @Override
  protected String stepName() {
    return "buildChart";
  }

  @Override
  protected Map<String, Object> values() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("chart", chart);
    v.put("version", version);
    v.put("image", image);
    v.put("push", push);
    v.put("appVersion", appVersion);
    v.put("plainHttp", plainHttp);
    v.put("registryCredentialsId", registryCredentialsId);
    return v;
  }

  @Extension
  @Symbol("buildChart")
  public static final class DescriptorImpl extends StackpipeStepDescriptor {
    @Override
    public String getFunctionName() {
      return "buildChart";
    }

    @Override
    public String getDisplayName() {
      return "Stackpipe: build (and publish) a service chart";
    }
  }
}
