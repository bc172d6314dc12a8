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
cleanup() { rm -rf "$W"; }
cleanup_on_exit cleanup
netns_new HOST bch-host
for i in $(seq "$PODS"); do netns_new pod "bch-p$i"; done

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

# Timed by the benchmarks' one client (scripts/bench_client.py: posix_spawn as a runtime does, spawn -> exit).
cat > "$W/driver.py" <<'DRIVER'
import sys
sys.dont_write_bytecode = True
w, pods, suffix, scripts = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
sys.path.insert(0, scripts)
import bench_client
impls = {"ours": (f"{w}/bin/flannel", f"{w}/ours.json", f"{w}/bin"),
         "go": ("/usr/lib/cni/bridge", f"{w}/go.json", "/usr/lib/cni")}
def call(impl, command, pod, ifname):
    binary, conf, path = impls[impl]
    env = {"CNI_COMMAND": command, "CNI_CONTAINERID": f"pod{pod}", "CNI_NETNS": f"/run/netns/bch-p{pod}-{suffix}",
           "CNI_IFNAME": ifname, "CNI_PATH": path}
    call = bench_client.run(f"{impl} {command} pod{pod}", binary, env, open(conf, "rb").read())
    print(impl, command, int(call.ms * 1000))
for command in ("ADD", "DEL"):
    for i in range(1, pods + 1):
        call("ours", command, i, "eth0")
        call("go", command, i, "eth1")
DRIVER
echo "== $PODS pods per implementation, interleaved (load average $(cut -d' ' -f1-3 /proc/loadavg))"
ip netns exec "$HOST" python3 "$W/driver.py" "$W" "$PODS" "$$" "$ROOT/scripts" > "$W/times.txt" 2> "$W/stderr.txt" \
  || { cat "$W/stderr.txt" >&2; exit 1; }

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
