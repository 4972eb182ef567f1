#!/bin/sh
# System tests of the example platform (orders, billing, gateway), run against a candidate's ephemeral stack by
# `stackpipe l3 gate … -- sh examples/system-tests.sh` and by the Jenkinsfile's promoteL3 block. Real HTTP calls:
# each service directly, then through the gateway, which reaches orders and billing through their Services.
#
# From the gate's environment: ORDERS_URL, BILLING_URL, GATEWAY_URL (http://clusterIP:port of each Service),
# STACK_NAMESPACE, KUBECONFIG. Exit 0 when every check passes, 1 otherwise; the last lines say what failed.
set -u

failures=0
failed=""

# check SERVICE BASE_URL PATH [EXPECTED…]: GET BASE_URL/PATH, expecting 200 and a body containing each EXPECTED.
# kube-proxy follows a new endpoint a moment after it is Ready, so a call that did not reach the service (no
# connection, 404 from elsewhere, 502/503 from the gateway's own upstream call) is retried for a few seconds; any
# other answer counts at once.
check() {
  service=$1
  url=$2$3
  path=$3
  shift 3
  attempt=0
  while :; do
    attempt=$((attempt + 1))
    body=$(curl --noproxy '*' --silent --show-error --max-time 5 --write-out '\n%{http_code}' "$url" 2>&1)
    status=$(printf '%s\n' "$body" | tail -n 1)
    body=$(printf '%s\n' "$body" | sed '$d')
    missing=""
    for expected in "$@"; do
      case $body in *"$expected"*) ;; *) missing="$missing $expected" ;; esac
    done
    if [ "$status" = 200 ] && [ -z "$missing" ]; then
      echo "ok    GET $url"
      return 0
    fi
    case $status in 000 | 404 | 502 | 503) retry=yes ;; *) retry=no ;; esac
    if [ "$retry" = no ] || [ "$attempt" -ge 8 ]; then
      echo "FAIL  GET $url: status $status${missing:+, missing$missing}: $(printf '%s' "$body" | head -c 300)"
      failures=$((failures + 1))
      failed="$failed${failed:+, }$service $path ($status)"
      return 1
    fi
    sleep 1
  done
}

: "${ORDERS_URL:?not set: run me through stackpipe l3 gate or promoteL3}"
: "${BILLING_URL:?not set}"
: "${GATEWAY_URL:?not set}"
echo "system tests of stack ${STACK_NAMESPACE:-?}: orders $ORDERS_URL, billing $BILLING_URL, gateway $GATEWAY_URL"

check orders "$ORDERS_URL" /version '"service":"orders"'
check orders "$ORDERS_URL" /orders '"o-1001"'
check billing "$BILLING_URL" /version '"service":"billing"'
check billing "$BILLING_URL" /invoices '"i-501"'
check gateway "$GATEWAY_URL" /version '"service":"gateway"'
# End to end: the gateway answers with what orders and billing answered it.
check gateway "$GATEWAY_URL" /summary '"o-1001"' '"i-501"'

if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed: $failed"
  exit 1
fi
echo "all checks passed"
