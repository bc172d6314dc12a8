#!/bin/bash
# Churn on one node: per round, PARALLEL slots run a random mix of ADDs and DELs at the same time (pods through
# flannel -> bridge -> host-local, and direct host-local calls), half of the host-local calls by the Go plugin
# (/usr/lib/cni/host-local, Debian containernetworking-plugins) on the same data directory; every DEL picks ours
# or Go's at random. After each round: every call succeeded, no duplicate address, reservation files == live
# attachments (none lost, none leaked), the lock is free, flannel files / veths / masquerade chains == live pods,
# no plugin process left. The last round deletes everything and nothing may remain. ipMasq is on.
# Everything happens in a node namespace and pod namespaces it creates, data in a temp dir. Exit 1 on failure.
#
# Usage: scripts/churn.sh [--parallel N=128] [--rounds R=5] [--seed S] [--bin DIR]                        (root)
#   --bin: our plugin binaries (default: the release build, scripts/common.sh build_release).
set -euo pipefail
source "$(dirname "$0")/common.sh"
PARALLEL=128 ROUNDS=5 SEED=$RANDOM$RANDOM BIN= GO_DIR=/usr/lib/cni
while [ $# -gt 0 ]; do
  case $1 in
    --parallel) PARALLEL=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "run as root (it creates network namespaces)" >&2; exit 1; }
ensure_packages "${RUNTIME_PACKAGES[@]}" python3 util-linux containernetworking-plugins
[ -x $GO_DIR/host-local ] || { echo "Go host-local not found in $GO_DIR" >&2; exit 1; }
BIN=$(plugin_bin "$BIN")

PREFIX="churn-$$"                 # the driver names its pod namespaces $PREFIX-p<N>
WORK=$(mktemp -d /tmp/churn.XXXXXX)
cleanup() {                        # what the driver leaves when it is killed; the node goes in netns_cleanup
  local ns
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^$PREFIX-p[0-9]+$" || true); do
    ip netns del "$ns" || true
  done
  rm -rf "$WORK"
}
cleanup_on_exit cleanup
netns_new NODE "churn-node"
# Bounded: a round of 128 slots takes seconds; 120 s per round is far beyond any healthy run.
supervise timeout --kill-after=10 $((120 + ROUNDS * 120)) python3 "$ROOT/scripts/churn-driver.py" --node "$NODE" \
  --work "$WORK" --bin "$BIN" --go "$GO_DIR" --parallel "$PARALLEL" --rounds "$ROUNDS" --seed "$SEED" --prefix "$PREFIX"
