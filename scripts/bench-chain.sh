#!/usr/bin/env bash
# Benchmark (not a test): our full chain flannel -> bridge -> host-local (three execs) against the Go
# chain bridge -> host-local (two execs, Debian containernetworking-plugins in /usr/lib/cni), in one
# run, interleaved pod by pod, inside a throw-away "host" namespace.
#
#   scripts/bench-chain.sh [pods]      (default 50 sequential pods per implementation)
#
# Prints ADD and DEL medians and ratios ours/Go, and peak RSS (GNU time %M, largest process of the chain).
# The Go chain gets the exact delegate config our flannel stores (only bridge name, subnet and
# dataDir differ), so both do the same kernel work.
set -euo pipefail
. "$(dirname "$0")/common.sh"
PODS=${1:-50}
[ "$(id -u)" -eq 0 ] || { echo "run as root (creates network namespaces)" >&2; exit 1; }
ensure_packages "${BUILD_PACKAGES[@]}" "${RUNTIME_PACKAGES[@]}" containernetworking-plugins jq time python3
echo "== building release binaries"
BIN=$(build_release)

W=$(mktemp -d /tmp/bench-chain.XXXXXX)
HOST=bch-host-$$
cleanup() {
  set +e
  for i in $(seq "$PODS"); do ip netns del "bch-p$i-$$" 2>/dev/null; done
  ip netns del "$HOST" 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT
ip netns add "$HOST"; ip -n "$HOST" link set lo up
for i in $(seq "$PODS"); do ip netns add "bch-p$i-$$"; done

mkdir -p "$W/bin"
for p in flannel bridge host-local; do ln -s "$BIN/$p" "$W/bin/$p"; done
printf 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n' > "$W/subnet.env"
jq -n --arg w "$W" '{cniVersion:"0.3.1", name:"cbr0", type:"flannel", subnetFile:($w+"/subnet.env"),
   dataDir:($w+"/flannel"), ipam:{dataDir:($w+"/ours-ipam")},
   delegate:{hairpinMode:true, isDefaultGateway:true}}' > "$W/ours.json"

# The Go chain's config: what our flannel stores for a pod, on its own bridge, subnet and dataDir.
ip netns exec "$HOST" env -i CNI_COMMAND=ADD CNI_CONTAINERID=probe CNI_NETNS="/run/netns/bch-p1-$$" \
  CNI_IFNAME=eth0 CNI_PATH="$W/bin" "$W/bin/flannel" < "$W/ours.json" > /dev/null
jq --arg w "$W" '.bridge = "cni1" | .ipam.ranges = [[{subnet: "10.245.1.0/24"}]]
   | .ipam.routes = [{dst: "10.245.0.0/16"}] | .ipam.dataDir = ($w + "/go-ipam")' "$W/flannel/probe" > "$W/go.json"
ip netns exec "$HOST" env -i CNI_COMMAND=DEL CNI_CONTAINERID=probe CNI_NETNS="/run/netns/bch-p1-$$" \
  CNI_IFNAME=eth0 CNI_PATH="$W/bin" "$W/bin/flannel" < "$W/ours.json" > /dev/null

cat > "$W/inner.sh" <<'INNER'
# Runs inside the host namespace; times each plugin call with bash's EPOCHREALTIME (no fork).
W=$1 PODS=$2 SUFFIX=$3
call() { # call impl COMMAND pod
  local bin conf path
  if [ "$1" = ours ]; then bin=$W/bin/flannel conf=$W/ours.json path=$W/bin
  else bin=/usr/lib/cni/bridge conf=$W/go.json path=/usr/lib/cni; fi
  local t0=$EPOCHREALTIME
  env -i CNI_COMMAND="$2" CNI_CONTAINERID="pod$3" CNI_NETNS="/run/netns/bch-p$3-$SUFFIX" CNI_IFNAME="eth$4" \
    CNI_PATH="$path" "$bin" < "$conf" > /dev/null || { echo "$1 $2 pod$3 failed" >&2; exit 1; }
  local t1=$EPOCHREALTIME
  echo "$1 $2 $(( (${t1/./} - ${t0/./}) ))"
}
for i in $(seq "$PODS"); do call ours ADD "$i" 0; call go ADD "$i" 1; done
for i in $(seq "$PODS"); do call ours DEL "$i" 0; call go DEL "$i" 1; done
INNER
echo "== $PODS pods per implementation, interleaved (load average $(cut -d' ' -f1-3 /proc/loadavg))"
ip netns exec "$HOST" bash "$W/inner.sh" "$W" "$PODS" "$$" > "$W/times.txt"

rss() { # rss impl: max RSS (KiB) of each process in one ADD, measured by wrapping every binary in GNU time
  local impl=$1
  local dir=$W/rss-$impl
  mkdir -p "$dir"
  local real=$W/bin; [ "$impl" = go ] && real=/usr/lib/cni
  for p in flannel bridge host-local; do
    printf '#!/bin/sh\nexec /usr/bin/time -a -o %s/%s.kb -f %%M %s/%s "$@"\n' "$dir" "$p" "$real" "$p" > "$dir/$p"
    chmod +x "$dir/$p"
  done
  local bin=$dir/flannel conf=$W/ours.json
  [ "$impl" = go ] && bin=$dir/bridge conf=$W/go.json
  for cmd in ADD DEL; do
    ip netns exec "$HOST" env -i CNI_COMMAND=$cmd CNI_CONTAINERID=rss CNI_NETNS="/run/netns/bch-p1-$$" \
      CNI_IFNAME=eth9 CNI_PATH="$dir" "$bin" < "$conf" > /dev/null
  done
}
rss ours; rss go

python3 - "$W" <<'PY'
import sys, statistics, os
w = sys.argv[1]
t = {}
for line in open(f"{w}/times.txt"):
    impl, cmd, us = line.split()
    t.setdefault((impl, cmd), []).append(int(us) / 1000)
def med(impl, cmd): return statistics.median(t[(impl, cmd)])
print(f"{'':6} {'ours (flannel->bridge->host-local)':>36} {'go (bridge->host-local)':>26} {'ratio':>7}")
for cmd in ("ADD", "DEL"):
    o, g = med("ours", cmd), med("go", cmd)
    print(f"{cmd:6} {o:33.2f} ms {g:23.2f} ms {o/g:7.2f}")
def kb(impl):
    out = {}
    for p in ("flannel", "bridge", "host-local"):
        f = f"{w}/rss-{impl}/{p}.kb"
        if os.path.exists(f):
            out[p] = max(int(x) for x in open(f).read().split() if x.isdigit())
    return out
for impl in ("ours", "go"):
    k = kb(impl)
    # GNU time's %M of a process that waited for children is the max over its tree, so each figure is the
    # largest process from that binary down; the chain's largest process is the max of them.
    print(f"peak RSS {impl:5} " + "  ".join(f"{p} {v} KiB" for p, v in k.items()) + f"  (largest process {max(k.values())} KiB)")
PY
