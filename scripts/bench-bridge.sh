#!/bin/bash
# Benchmark (not a test): our bridge + host-local against Debian's Go bridge + host-local, side by side in one run,
# through the same client (scripts/bench-bridge-driver.py on scripts/bench_client.py, inside a throw-away host
# namespace, alternating the two implementations call by call so that other load on the machine hits both alike):
#   - 50 sequential pods: ADD each, then DEL each;
#   - 64 pods added in parallel (all must succeed with distinct addresses), then deleted in parallel;
#   - ADD of one pod on an empty bridge vs with 250 pods attached (median of CYCLES ADD+DEL cycles).
# Prints medians, ratios ours/Go, peak RSS, and the targets: ADD <= 0.5x Go, DEL <= 1.0x Go,
# ADD with 250 pods <= 1.3x the first pod's, 64 parallel ADDs all succeed with distinct addresses.
#
# Usage: scripts/bench-bridge.sh [sequential=50] [parallel=64] [fill=250] [cycles=15]      (root)
set -euo pipefail
source "$(dirname "$0")/common.sh"
SEQ=${1:-50} PAR=${2:-64} FILL=${3:-250} CYCLES=${4:-15}
GO_DIR=/usr/lib/cni
[ "$(id -u)" -eq 0 ] || { echo "run as root (it creates network namespaces)" >&2; exit 1; }
[ -x $GO_DIR/bridge ] || { echo "Go plugins not found in $GO_DIR (apt-get install containernetworking-plugins)" >&2; exit 1; }

echo "== release build (static Swift stdlib) into $RELEASE_SCRATCH" >&2
BIN=$(build_release)
WORK=$(mktemp -d /tmp/bench-bridge.XXXXXX)
cleanup() { rm -rf "$WORK"; }
cleanup_on_exit cleanup
netns_new HOST bbh

setup_impl() {  # $1 tag, $2 host-local binary
  mkdir -p "$WORK/$1/bin" "$WORK/$1/data"
  ln -s "$2" "$WORK/$1/bin/host-local"
}
setup_impl go $GO_DIR/host-local
setup_impl swift "$BIN/host-local"
echo "== go (Debian $(dpkg-query -W -f '${Version}' containernetworking-plugins 2>/dev/null || echo '?')) and ours, alternating" >&2
ip netns exec "$HOST" python3 "$ROOT/scripts/bench-bridge-driver.py" "$SEQ" "$PAR" "$FILL" "$CYCLES" \
  "go:$GO_DIR/bridge:$WORK/go/bin:$WORK/go/data:cni-go:10.88.0.0/16" \
  "swift:$BIN/bridge:$WORK/swift/bin:$WORK/swift/data:cni-swift:10.89.0.0/16" > "$WORK/stats.json"

# Peak RSS with GNU time (the driver's wait4 numbers include the Python parent's pages): max over 5 ADDs and DELs
# of the plugin process, which includes the IPAM child it waits for.
[ -x /usr/bin/time ] || ensure_packages time
netns_new RSS_POD_go bbr-go; netns_new RSS_POD_swift bbr-swift   # here: peak_rss runs in $(...)
peak_rss() {  # $1 tag, $2 bridge binary, $3 bridge name, $4 subnet
  local pod=RSS_POD_$1 max=0 kib
  pod=${!pod}
  local conf="{\"cniVersion\":\"0.3.1\",\"name\":\"rss$1\",\"type\":\"bridge\",\"bridge\":\"$3\",\"isGateway\":true,\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"$WORK/$1/data\",\"ranges\":[[{\"subnet\":\"$4\"}]]}}"
  for i in 1 2 3 4 5; do
    for cmd in ADD DEL; do
      echo "$conf" | ip netns exec "$HOST" env -i CNI_COMMAND=$cmd CNI_CONTAINERID=rss$i CNI_NETNS=/run/netns/$pod \
        CNI_IFNAME=eth0 CNI_PATH="$WORK/$1/bin" /usr/bin/time -f %M -o "$WORK/rss" "$2" >/dev/null
      kib=$(tail -1 "$WORK/rss"); [ "$kib" -gt "$max" ] && max=$kib
    done
  done
  echo "$max"
}
RSS_GO=$(peak_rss go $GO_DIR/bridge cni-go 10.88.0.0/16)
RSS_SWIFT=$(peak_rss swift "$BIN/bridge" cni-swift 10.89.0.0/16)
python3 - "$WORK/stats.json" "$RSS_GO" "$RSS_SWIFT" > "$WORK/stats2.json" <<'PY'
import json, sys
stats = json.load(open(sys.argv[1]))
stats["go"]["peak_rss_kib"], stats["swift"]["peak_rss_kib"] = int(sys.argv[2]), int(sys.argv[3])
print(json.dumps(stats))
PY
mv "$WORK/stats2.json" "$WORK/stats.json"

python3 - "$WORK/stats.json" <<'PY'
import json, statistics, sys
stats = json.load(open(sys.argv[1]))
go, sw = stats["go"], stats["swift"]
go["impl"], sw["impl"] = "go", "ours"
med = lambda d, k: statistics.median(d[k])
rows = [("ADD, sequential", "seq_add"), ("DEL, sequential", "seq_del"), ("ADD, 64 parallel (per call)", "par_add"),
        ("DEL, 64 parallel (per call)", "par_del"), ("ADD, first pod on bridge", "first_add"),
        ("ADD, 250 pods on bridge", "loaded_add")]
print(f"{'median ms':32} {'go':>9} {'ours':>9} {'ours/go':>8}")
for label, key in rows:
    g, s = med(go, key), med(sw, key)
    print(f"{label:32} {g:9.2f} {s:9.2f} {s / g:8.2f}")
for label, key in [("64 parallel ADD, wall", "par_add_wall"), ("64 parallel DEL, wall", "par_del_wall")]:
    print(f"{label:32} {go[key]:9.1f} {sw[key]:9.1f} {sw[key] / go[key]:8.2f}")
print(f"{'peak RSS KiB (plugin + IPAM)':32} {go['peak_rss_kib']:9d} {sw['peak_rss_kib']:9d} {sw['peak_rss_kib'] / go['peak_rss_kib']:8.2f}")
for impl in (go, sw):
    print(f"{impl['impl']}: 250-pod ADD / first-pod ADD = {med(impl, 'loaded_add') / med(impl, 'first_add'):.2f}; "
          f"64 parallel ADDs distinct and successful: {impl['par_distinct']}")
checks = [
    ("ADD <= 0.5x Go", med(sw, "seq_add") <= 0.5 * med(go, "seq_add")),
    ("DEL <= 1.0x Go", med(sw, "seq_del") <= 1.0 * med(go, "seq_del")),
    ("ADD with 250 pods <= 1.3x first pod", med(sw, "loaded_add") <= 1.3 * med(sw, "first_add")),
    ("64 parallel ADDs succeed, distinct addresses", sw["par_distinct"]),
]
for name, ok in checks:
    print(f"target {name}: {'met' if ok else 'MISSED'}")
PY
