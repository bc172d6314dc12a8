#!/bin/bash
# Regenerates scripts/generated/link-order.txt, the symbol order the release link uses (lld --symbol-ordering-file).
#
# Why: a plugin process lives for a few milliseconds and touches a few hundred functions scattered over 6 MB of
# static Swift stdlib + glibc + our code. The kernel maps file pages 64 KiB at a time around each fault
# ("fault-around"), so scattered hot code costs peak RSS far beyond its size. Putting the functions that real
# invocations execute next to each other cuts the plugins' peak RSS (docs/PERFORMANCE.md).
#
# How: build unstripped release binaries with the same flags, run every command of the three plugins the way a
# runtime does (a throw-away host namespace and pod namespace, the flannel -> bridge -> host-local chain, IPv4
# and dual stack, error paths) under valgrind's lackey, which reports every instruction and data address, and list
# every function and data object touched, in first-touched order (lld orders code and data sections alike).
# Symbols inside the stdlib's few objects built without per-function sections are left out: ordering one of them
# would pull its whole, large section into the hot area. glibc's CPU-specific string functions are added by
# name (valgrind's CPU makes the ifuncs pick other variants than a real one).
# A stale list only costs RSS (missing names are ignored by the linker), never correctness.
#
# Usage: scripts/gen-link-order.sh      (root; needs valgrind, installs it when missing)
set -euo pipefail
source "$(dirname "$0")/common.sh"
[ "$(id -u)" -eq 0 ] || { echo "run as root (it creates network namespaces)" >&2; exit 1; }
ensure_packages valgrind "${BUILD_PACKAGES[@]}" "${RUNTIME_PACKAGES[@]}"

export RELEASE_SCRATCH=$ROOT/.build-order
BIN=$(KEEP_SYMBOLS=1 LINK_ORDER=/dev/null build_release)
WORK=$(mktemp -d /tmp/gen-link-order.XXXXXX)
cleanup() { rm -rf "$WORK"; }
cleanup_on_exit cleanup
netns_new HOST glo-host; netns_new POD glo-pod
mkdir -p "$WORK/bin" "$WORK/trace"
for p in flannel bridge host-local; do ln -s "$BIN/$p" "$WORK/bin/$p"; done

# run PLUGIN COMMAND CONFIG [VAR=value...]: one plugin call under lackey (children traced too), config on stdin.
run() {
  local type=$1 command=$2 config=$3; shift 3
  printf '%s' "$config" | ip netns exec "$HOST" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CNI_COMMAND="$command" \
    CNI_CONTAINERID=order CNI_NETNS=/run/netns/$POD CNI_IFNAME=eth0 CNI_PATH="$WORK/bin" "$@" \
    valgrind --tool=lackey --trace-mem=yes --trace-children=yes --log-file="$WORK/trace/%p.log" \
    "$WORK/bin/$type" >"$WORK/out" 2>/dev/null || true   # error paths are part of the profile
  python3 "$ROOT/scripts/link-order.py" touched "$BIN" "$WORK/touched" "$WORK"/trace/*.log
  rm -f "$WORK"/trace/*.log
}

data=$WORK/data
host_local="{\"cniVersion\":\"1.1.0\",\"name\":\"order\",\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"$data/hl\",\"ranges\":[[{\"subnet\":\"10.97.0.0/24\"}]],\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}}"
bridge="{\"cniVersion\":\"1.1.0\",\"name\":\"order\",\"type\":\"bridge\",\"bridge\":\"cni0\",\"isGateway\":true,\"isDefaultGateway\":true,\"hairpinMode\":true,\"ipMasq\":true,\"mtu\":1450,\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"$data/br\",\"ranges\":[[{\"subnet\":\"10.98.0.0/24\"}],[{\"subnet\":\"fd98::/64\"}]]}}"
printf 'FLANNEL_NETWORK=10.99.0.0/16\nFLANNEL_SUBNET=10.99.1.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n' > "$WORK/subnet.env"
flannel="{\"cniVersion\":\"1.0.0\",\"name\":\"cbr0\",\"type\":\"flannel\",\"subnetFile\":\"$WORK/subnet.env\",\"dataDir\":\"$data/fl\",\"ipam\":{\"dataDir\":\"$data/fl-ipam\"},\"delegate\":{\"bridge\":\"cni1\",\"hairpinMode\":true,\"isDefaultGateway\":true}}"
gc() { python3 -c 'import json,sys; c=json.loads(sys.argv[1]); c["cniVersion"]="1.1.0"; c["cni.dev/valid-attachments"]=[]; print(json.dumps(c))' "$1"; }
with_prev_result() { python3 -c 'import json,sys; c=json.loads(sys.argv[1]); c["prevResult"]=json.load(open(sys.argv[2])); print(json.dumps(c))' "$1" "$WORK/out"; }

for plugin in host-local bridge flannel; do
  config=${plugin//-/_}; config=${!config}
  run $plugin VERSION "$config"
  run $plugin ADD "$config"
  run $plugin CHECK "$(with_prev_result "$config")"
  for command in STATUS DEL DEL; do run $plugin $command "$config"; done
  run $plugin GC "$(gc "$config")"
  run $plugin ADD '{"cniVersion":"1.0.0","name":"order",'   # decode error
  run $plugin ADD "$config" CNI_IFNAME=bad/name              # invalid environment
done

STATIC_STDLIB=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")/lib/swift_static/linux
python3 "$ROOT/scripts/link-order.py" write "$BIN" "$WORK/touched" "$STATIC_STDLIB" \
  > "$ROOT/scripts/generated/link-order.txt"
echo "wrote $(grep -vc '^#' "$ROOT/scripts/generated/link-order.txt") symbols to scripts/generated/link-order.txt" >&2
