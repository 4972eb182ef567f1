package io.stackpipe.registry;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code WWW-Authenticate: Bearer realm="…", service="…", scope="…"} challenge (RFC 7235 auth-params):
 * parameters in any order, any case, quoted or not, with the optional whitespace real registries send.
 */
record BearerChallenge(String realm, String service, String scope) {

  private static final Pattern SCHEME = Pattern.compile("(?i)(?:^|,)\\s*Bearer(?:\\s+|$)");
  private static final Pattern PARAM = Pattern.compile(
      "\\G[\\s,]*([A-Za-z][\\w.-]*)\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^\\s,\"]+))[ \\t]*");

  /** The Bearer challenge among {@code headers}, if any names a realm. */
  static Optional<BearerChallenge> find(List<String> headers) {
    for (String header : headers) {
      Matcher scheme = SCHEME.matcher(header);
      if (!scheme.find()) {
        continue;
      }
      Map<String, String> params = new HashMap<>();
      Matcher param = PARAM.matcher(header);
      param.region(scheme.end(), header.length());
      while (param.find()) {
        String value = param.group(2) != null ? param.group(2).replaceAll("\\\\(.)", "$1") : param.group(3);
        params.putIfAbsent(param.group(1).toLowerCase(Locale.ROOT), value);
      }
      if (params.get("realm") != null && !params.get("realm").isBlank()) {
        return Optional.of(new BearerChallenge(params.get("realm"), params.get("service"), params.get("scope")));
      }
    }
    return Optional.empty();
  }
}
