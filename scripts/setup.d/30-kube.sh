#!/usr/bin/env bash
# Kubernetes control plane binaries (kube-apiserver, kube-controller-manager, etcd) for tests and the demo.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/../kube-binaries.sh" >/dev/null
