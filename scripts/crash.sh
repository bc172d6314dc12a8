#!/bin/bash
# Crash injection (kill -9) on the flannel -> bridge -> host-local chain, as a repeatable test.
# Each trial SIGKILLs, at a random point of an ADD or of a DEL, one of: the whole process group or only flannel
# (its delegates run on as orphans), after a delay drawn over 1.2x the measured length of an unkilled call; only
# bridge or only host-local, after a delay drawn over 1.2x its measured lifetime once it has appeared.
# Then it recovers as a runtime does (DEL; twice for a killed DEL) and checks: no reservation, no flannel file
# (temporary ones included), no veth, no masquerade rule (iptables, ip6tables, nft), no plugin process, no held
# lock, never a half-written file (checked right after the kill too), and the next ADD of the same container
# succeeds (then its DEL leaves nothing). ipMasq is on (FLANNEL_IPMASQ=false).
# Everything happens in a node namespace and pod namespaces it creates, data in a temp dir.
# Prints kills by phase (which processes were alive, what was on disk before recovery), and every failure with
# the command that replays its choices. Exit status 1 on any failure.
#
# Usage: scripts/crash.sh [--trials N=300] [--plugin all|flannel|bridge|host-local] [--seed S] [--first K]
#                         [--bin DIR]                                                                    (root)
#   --plugin: which process is killed (flannel: the group or flannel alone). --bin: plugin binaries to use
#   (default: the release build, scripts/common.sh build_release). --first K: start at trial K (replay).
set -euo pipefail
source "$(dirname "$0")/common.sh"
TRIALS=300 PLUGIN=all SEED=$RANDOM$RANDOM FIRST=0 BIN=
while [ $# -gt 0 ]; do
  case $1 in
    --trials) TRIALS=$2; shift 2 ;;
    --plugin) PLUGIN=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --first) FIRST=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "run as root (it creates network namespaces)" >&2; exit 1; }
ensure_packages "${RUNTIME_PACKAGES[@]}" python3 util-linux
BIN=$(plugin_bin "$BIN")

PREFIX="crash-$$"                 # the driver names its pod namespaces $PREFIX-p<N>
WORK=$(mktemp -d /tmp/crash.XXXXXX)
cleanup() {                        # what the driver leaves when it is killed; the node goes in netns_cleanup
  local ns
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^$PREFIX-p[0-9]+$" || true); do
    ip netns del "$ns" || true
  done
  rm -rf "$WORK"
}
cleanup_on_exit cleanup
netns_new NODE "crash-node"
# Bounded: a trial takes well under a second; 10 s per trial is far beyond any healthy run.
supervise timeout --kill-after=10 $((60 + TRIALS * 10)) python3 "$ROOT/scripts/crash-driver.py" --node "$NODE" --work "$WORK" \
  --bin "$BIN" --trials "$TRIALS" --first "$FIRST" --seed "$SEED" --plugin "$PLUGIN" --prefix "$PREFIX"
