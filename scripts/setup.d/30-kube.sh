#!/usr/bin/env bash
# Kubernetes binaries (control plane, scheduler, kubelet, kube-proxy) and etcd for tests and the demo.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/../kube-binaries.sh" >/dev/null
