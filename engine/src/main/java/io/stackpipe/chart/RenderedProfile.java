package io.stackpipe.chart;

import java.util.List;

/** What one profile rendered to: the Kubernetes objects as {@code Kind/name}, in template order. */
public record RenderedProfile(String profile, List<String> objects) {
}
