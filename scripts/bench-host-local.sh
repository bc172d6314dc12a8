#!/usr/bin/env bash
# Benchmarks our host-local against Go's (Debian's /usr/lib/cni/host-local) in one run:
#   1. VERSION start-up (no stdin work),
#   2. ADD+DEL pairs, each pair on a fresh container ID, in a temp dataDir per implementation,
# then prints medians, the ratio ours/Go, and peak RSS (GNU time's %M).
#
# Every call goes through the benchmarks' one timing client (scripts/bench_client.py: posix_spawn with only the
# CNI_* variables, as a runtime does; spawn -> exit), ours and Go's alternating call by call, after 20 warm-up
# rounds, so other load on the machine hits both alike and no shell start is counted.
#
# Ours is the release build of scripts/install.sh (host-local is fully static: it needs no libmnl).
#
# Usage: scripts/bench-host-local.sh [runs]     (from anywhere)
set -euo pipefail
. "$(dirname "$0")/common.sh"
cd "$ROOT"
RUNS=${1:-300}
GO=/usr/lib/cni/host-local
ensure_packages "${BUILD_PACKAGES[@]}" containernetworking-plugins time python3
echo "== building release binaries"
OURS="$(build_release)/host-local"
ls -l "$OURS" "$GO" | awk '{print "   " $5 " bytes  " $NF}'

WORK=$(mktemp -d /tmp/bench-host-local.XXXXXX)
cleanup() { rm -rf "$WORK"; }
cleanup_on_exit cleanup
for impl in ours go; do
    mkdir -p "$WORK/$impl"
    printf '{"cniVersion":"1.0.0","name":"bench","type":"host-local","ipam":{"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"10.77.0.0/16"}]],"routes":[{"dst":"0.0.0.0/0"}]}}' \
        "$WORK/$impl/data" >"$WORK/$impl/conf.json"
done
echo "   load average: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine adds noise)"
echo "== VERSION start-up and ADD+DEL pairs ($RUNS runs each, fresh container ID per pair, alternating)"
python3 - "$ROOT/scripts" "$RUNS" "$OURS" "$GO" "$WORK" <<'PY'
import statistics, sys
sys.dont_write_bytecode = True
scripts, runs, ours, go, work = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
sys.path.insert(0, scripts)
import bench_client
impls = {name: (binary, open(f"{work}/{name}/conf.json", "rb").read()) for name, binary in (("ours", ours), ("go", go))}
def env(command, cid):
    return {"CNI_COMMAND": command, "CNI_CONTAINERID": cid, "CNI_NETNS": "/var/run/netns/bench", "CNI_IFNAME": "eth0",
            "CNI_PATH": "/usr/lib/cni"}
version, pair = {"ours": [], "go": []}, {"ours": [], "go": []}
warmup = 20
for i in range(warmup + runs):
    for name, (binary, conf) in impls.items():
        v = bench_client.run(f"{name} VERSION", binary, env("VERSION", "bench"), b"").ms
        cid = f"bench{i}"
        add = bench_client.run(f"{name} ADD {cid}", binary, env("ADD", cid), conf).ms
        dele = bench_client.run(f"{name} DEL {cid}", binary, env("DEL", cid), conf).ms
        if i >= warmup:
            version[name].append(v)
            pair[name].append(add + dele)
v = {name: statistics.median(times) for name, times in version.items()}
p = {name: statistics.median(times) for name, times in pair.items()}
print(f"\n{'median (ms)':<16}{'ours':>8}{'go':>8}   ours/go")
print(f"{'VERSION':<16}{v['ours']:8.3f}{v['go']:8.3f}   {v['ours']/v['go']:7.2f}")
print(f"{'ADD+DEL pair':<16}{p['ours']:8.3f}{p['go']:8.3f}   {p['ours']/p['go']:7.2f}")
PY

peak_rss() {  # max RSS in KiB over 20 runs of: $1 = binary, $2 = command, $3 = config
    max=0
    for i in $(seq 20); do
        kb=$(CNI_COMMAND=$2 CNI_CONTAINERID="rss$i" CNI_NETNS=/x CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni \
            /usr/bin/time -f %M "$1" <"$3" 2>&1 >/dev/null | tail -n 1)
        [ "$kb" -gt "$max" ] && max=$kb
    done
    echo "$max"
}

echo
for impl in ours go; do
    case $impl in ours) bin=$OURS conf=ours ;; go) bin=$GO conf=go ;; esac
    add=$(peak_rss "$bin" ADD "$WORK/$conf/conf.json")
    ver=$(peak_rss "$bin" VERSION /dev/null)
    echo "peak RSS $impl: ADD ${add} KiB, VERSION ${ver} KiB"
done
