#!/usr/bin/env bash
# Benchmarks our host-local against Go's (Debian's /usr/lib/cni/host-local) in one run:
#   1. VERSION start-up (no stdin work),
#   2. ADD+DEL pairs, each pair on a fresh container ID, in a temp dataDir per implementation,
# then prints medians, the ratio ours/Go, and peak RSS (GNU time's %M).
#
# Pairs run through a tiny sh script (a fresh ID per pair needs one); the same script around
# /bin/true is measured too and subtracted, so the ratio compares the plugins, not the shell.
#
# Ours is the release build of scripts/install.sh (host-local is fully static: it needs no libmnl).
#
# Usage: scripts/bench-host-local.sh [runs]     (from anywhere)
set -eu
. "$(dirname "$0")/common.sh"
cd "$ROOT"
RUNS=${1:-300}
GO=/usr/lib/cni/host-local
ensure_packages "${BUILD_PACKAGES[@]}" containernetworking-plugins hyperfine time python3
echo "== building release binaries"
OURS="$(build_release)/host-local"
ls -l "$OURS" "$GO" | awk '{print "   " $5 " bytes  " $NF}'

WORK=$(mktemp -d /tmp/bench-host-local.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
for impl in ours go; do
    mkdir -p "$WORK/$impl"
    printf '{"cniVersion":"1.0.0","name":"bench","type":"host-local","ipam":{"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"10.77.0.0/16"}]],"routes":[{"dst":"0.0.0.0/0"}]}}' \
        "$WORK/$impl/data" >"$WORK/$impl/conf.json"
done
cat >"$WORK/pair.sh" <<'PAIR'
# $1 = plugin binary, $2 = config; one ADD and one DEL on a fresh container ID.
export CNI_CONTAINERID="bench$$" CNI_NETNS=/var/run/netns/bench CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni
CNI_COMMAND=ADD "$1" <"$2" >/dev/null || exit 1
CNI_COMMAND=DEL "$1" <"$2" >/dev/null
PAIR

echo "   load average: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine adds noise)"
echo "== VERSION start-up ($RUNS runs each)"
CNI_COMMAND=VERSION hyperfine -N --warmup 30 --runs "$RUNS" --export-json "$WORK/version.json" \
    -n ours "$OURS" -n go "$GO" >/dev/null
echo "== ADD+DEL pairs ($RUNS runs each, fresh container ID per pair)"
hyperfine -N --warmup 20 --runs "$RUNS" --export-json "$WORK/pair.json" \
    -n ours "sh $WORK/pair.sh $OURS $WORK/ours/conf.json" \
    -n go "sh $WORK/pair.sh $GO $WORK/go/conf.json" \
    -n shell "sh $WORK/pair.sh /bin/true $WORK/ours/conf.json" >/dev/null

peak_rss() {  # max RSS in KiB over 20 runs of: $1 = binary, $2 = command, $3 = config
    max=0
    for i in $(seq 20); do
        kb=$(CNI_COMMAND=$2 CNI_CONTAINERID="rss$i" CNI_NETNS=/x CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni \
            /usr/bin/time -f %M "$1" <"$3" 2>&1 >/dev/null | tail -n 1)
        [ "$kb" -gt "$max" ] && max=$kb
    done
    echo "$max"
}

python3 - "$WORK/version.json" "$WORK/pair.json" <<'PY'
import json, sys
def medians(path):
    return {r["command"]: r["median"] * 1000 for r in json.load(open(path))["results"]}
v = medians(sys.argv[1]); p = medians(sys.argv[2]); s = p["shell"]
print(f"\n{'median (ms)':<16}{'ours':>8}{'go':>8}   ours/go")
print(f"{'VERSION':<16}{v['ours']:8.3f}{v['go']:8.3f}   {v['ours']/v['go']:7.2f}")
o, g = p["ours"] - s, p["go"] - s
print(f"{'ADD+DEL pair':<16}{o:8.3f}{g:8.3f}   {o/g:7.2f}   (sh overhead {s:.3f} ms subtracted)")
PY
echo
for impl in ours go; do
    case $impl in ours) bin=$OURS conf=ours ;; go) bin=$GO conf=go ;; esac
    add=$(peak_rss "$bin" ADD "$WORK/$conf/conf.json")
    ver=$(peak_rss "$bin" VERSION /dev/null)
    echo "peak RSS $impl: ADD ${add} KiB, VERSION ${ver} KiB"
done
