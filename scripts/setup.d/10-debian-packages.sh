#!/usr/bin/env bash
# Debian packages: the OCI registry the tests and demo start on loopback, and the local node's runtime
# (containerd, runc, CNI plugins, iptables for kube-proxy, conntrack and socat for the kubelet, iproute2 for
# the bridge).
set -euo pipefail
need=()
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v mvn >/dev/null 2>&1 || need+=(maven)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v containerd >/dev/null 2>&1 || need+=(containerd)
[ -x /usr/sbin/runc ] || need+=(runc)
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
[ -x /usr/sbin/iptables ] || need+=(iptables)
[ -x /usr/sbin/conntrack ] || need+=(conntrack)
command -v socat >/dev/null 2>&1 || need+=(socat)
[ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
