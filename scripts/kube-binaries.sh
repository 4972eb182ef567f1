#!/usr/bin/env bash
# Provides pinned, cached Kubernetes binaries (kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
# kube-proxy) and etcd, built from the Go module proxy.
#
# Kubernetes: k8s.io/kubernetes publishes no usable `go install` (its go.mod replaces the staging modules with
# ./staging paths that are not in the module zip), so a build-only go.mod requires k8s.io/kubernetes and
# replaces every staging module with its published v0.<minor>.<patch> release.
# etcd: Debian's etcd-server is 3.4, which Kubernetes 1.34 no longer supports (>= 3.5), so it is built too.
#
# Output: $STACKPIPE_KUBE_BIN (default ${XDG_CACHE_HOME:-~/.cache}/stackpipe/kube/<k8s>-etcd-<etcd>/bin).
# A warm cache costs three `--version` calls. Prints the bin dir on the last line of stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
versions="$root/local/src/main/resources/io/stackpipe/local/kube/versions.properties"
kube_version=$(sed -n 's/^kubernetes=//p' "$versions")
etcd_version=$(sed -n 's/^etcd=//p' "$versions")
cache="${XDG_CACHE_HOME:-$HOME/.cache}/stackpipe/kube/${kube_version}-etcd-${etcd_version}"
bin="${STACKPIPE_KUBE_BIN:-$cache/bin}"

log() { echo "kube-binaries: $*" >&2; }

have() { # have BINARY EXPECTED-VERSION-SUBSTRING
  [ -x "$bin/$1" ] && "$bin/$1" --version 2>/dev/null | grep -qF -- "$2"
}

kube_cmds=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
have_kube() {
  local c
  for c in "${kube_cmds[@]}"; do have "$c" "Kubernetes $kube_version" || return 1; done
}

if have_kube && have etcd "etcd Version: ${etcd_version#v}"; then
  echo "$bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  PATH="/usr/local/go/bin:$PATH"
fi
command -v go >/dev/null 2>&1 || { log "the Go toolchain (go >= 1.24) is required to build the control plane"; exit 1; }
mkdir -p "$bin"
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false} -p=${KUBE_BUILD_JOBS:-2}" GOTOOLCHAIN=local
work=$(mktemp -d "${TMPDIR:-/tmp}/stackpipe-kube-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
start=$(date +%s)

if ! have_kube; then
  log "building Kubernetes $kube_version (cold: ~15-30 min on 2 cores)"
  mod=$(cd "$work" && go mod download -json "k8s.io/kubernetes@$kube_version" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
  [ -f "$mod" ] || { log "could not download k8s.io/kubernetes@$kube_version"; exit 1; }
  minor=${kube_version#v1.}
  staging_version="v0.$minor"
  mkdir -p "$work/k8s"
  {
    echo "module stackpipe.local/kubebuild"
    echo
    echo "go 1.24"
    echo
    echo "require k8s.io/kubernetes $kube_version"
    echo
    echo "replace ("
    # Every `k8s.io/x => ./staging/src/k8s.io/x` line of Kubernetes' own go.mod, pointed at the published release.
    sed -n 's#^[[:space:]]*\(k8s\.io/[^[:space:]]*\) => \./staging/.*#\t\1 => \1 '"$staging_version"'#p' "$mod"
    echo ")"
  } > "$work/k8s/go.mod"
  cat > "$work/k8s/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
GO
  (cd "$work/k8s" && go mod tidy >&2)
  pkg=k8s.io/component-base/version
  cpkg=k8s.io/client-go/pkg/version
  vflags=""
  for p in $pkg $cpkg; do
    vflags+=" -X $p.gitVersion=$kube_version -X $p.gitMajor=1 -X $p.gitMinor=${minor%%.*}"
    vflags+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  for cmd in "${kube_cmds[@]}"; do
    have "$cmd" "Kubernetes $kube_version" && continue
    (cd "$work/k8s" && go build -trimpath -ldflags "-s -w$vflags" -o "$bin/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd")
    mv -f "$bin/$cmd.tmp" "$bin/$cmd"
    log "built $cmd after $(( $(date +%s) - start ))s"
  done
fi

if ! have etcd "etcd Version: ${etcd_version#v}"; then
  log "building etcd $etcd_version"
  mkdir -p "$work/etcd"
  printf 'module stackpipe.local/etcdbuild\n\ngo 1.24\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$etcd_version" > "$work/etcd/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' > "$work/etcd/tools.go"
  (cd "$work/etcd" && go mod tidy >&2 && go build -trimpath -ldflags "-s -w" -o "$bin/etcd.tmp" go.etcd.io/etcd/server/v3)
  mv -f "$bin/etcd.tmp" "$bin/etcd"
  log "built etcd after $(( $(date +%s) - start ))s"
fi

for b in "${kube_cmds[@]}" etcd; do
  [ -x "$bin/$b" ] || { log "missing $bin/$b after build"; exit 1; }
done
log "control plane binaries ready in $(( $(date +%s) - start ))s: $bin"
echo "$bin"
