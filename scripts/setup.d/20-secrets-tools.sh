#!/usr/bin/env bash
# Secrets tooling for tests and the benchmark: the real sops CLI (cross-checks), the moto KMS emulator,
# and the Debian age and gpg CLIs (cross-checks of the age and PGP data-key wrapping).
# Everything is cached under ~/.cache/stackpipe; a second run costs milliseconds.
set -euo pipefail
cache="${HOME}/.cache/stackpipe"
sops_version=v3.11.0
mkdir -p "$cache/bin"

need=()
command -v age >/dev/null 2>&1 || need+=(age)
command -v gpg >/dev/null 2>&1 || need+=(gnupg)
command -v python3 >/dev/null 2>&1 || need+=(python3 python3-venv)
command -v go >/dev/null 2>&1 || need+=(golang-go)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

# sops, pinned; the version file keeps a re-run from rebuilding.
if [ "$(cat "$cache/bin/sops.version" 2>/dev/null)" != "$sops_version" ] || [ ! -x "$cache/bin/sops" ]; then
  GOBIN="$cache/bin" GOFLAGS=-mod=mod go install "github.com/getsops/sops/v3/cmd/sops@${sops_version}"
  echo "$sops_version" > "$cache/bin/sops.version"
fi

# moto's KMS/STS server in its own venv.
venv="$cache/moto"
if [ ! -x "$venv/bin/moto_server" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'moto[server]==5.2.5'
fi
