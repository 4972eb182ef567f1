package io.stackpipe.manifest.l3;

import io.stackpipe.Result;
import java.util.List;
import java.util.Map;

/** What changes from manifest {@code from} to {@code to}: one {@link Change} per service that differs, by name. */
public record ManifestDiff(String from, String fromVersion, String to, String toVersion, List<Change> changes)
    implements Result {

  public ManifestDiff {
    changes = List.copyOf(changes);
  }

  public List<Change> of(String kind) {
    return changes.stream().filter(c -> c.kind().equals(kind)).toList();
  }

  @Override
  public Map<String, Object> toMap() {
    return Result.fields("from", from, "fromVersion", fromVersion, "to", to, "toVersion", toVersion,
        "added", of(Change.ADDED).stream().map(Change::toMap).toList(),
        "changed", of(Change.CHANGED).stream().map(Change::toMap).toList(),
        "removed", of(Change.REMOVED).stream().map(Change::toMap).toList());
  }
}
