#!/usr/bin/env bash
# The real Helm CLI, the version helm-java embeds, for tests that check a Stackpipe-written release with it
# (helm upgrade/rollback/history/uninstall) and for the l3 benchmark's side-by-side figures.
# Cached under ~/.cache/stackpipe/bin; the version file keeps a re-run from rebuilding.
set -euo pipefail
cache="${HOME}/.cache/stackpipe"
helm_version=v3.21.0   # helm-java 0.0.21's native library is built from helm.sh/helm/v3 v3.21.0
mkdir -p "$cache/bin"
if [ "$(cat "$cache/bin/helm.version" 2>/dev/null)" != "$helm_version" ] || [ ! -x "$cache/bin/helm" ]; then
  GOBIN="$cache/bin" GOFLAGS=-mod=mod go install "helm.sh/helm/v3/cmd/helm@${helm_version}"
  echo "$helm_version" > "$cache/bin/helm.version"
fi
