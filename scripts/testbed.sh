#!/usr/bin/env bash
# Pods across flannel nodes: a 2-3 node cluster in network namespaces (scripts/testbed-lib.sh plays
# flanneld: underlay, leases, subnet.env, vxlan or host-gw entries), pods attached on every node through our
# `flannel` as a runtime calls it (conf/10-flannel.conflist), then PASS/FAIL checks: pod to pod across every
# pair of nodes both ways, pod to the remote cni0 gateway, a packet that fills the pod MTU crosses and one byte
# more is refused locally, per-node table sizes, DEL leaves nothing. --perf adds iperf3 TCP throughput and ping
# latency, pod to pod across nodes against node to node over the same underlay. Exit status 0 iff every check
# passed; the last line is "testbed: P/N checks passed". Everything lives in namespaces named with this
# process's pid and is removed on exit, Ctrl-C or TERM; the run is bounded (--timeout).
#
#   scripts/testbed.sh --backend vxlan|host-gw [--nodes 2|3] [--pods N] [--perf SECONDS] [--bin DIR]
#                      [--timeout SECONDS] [--keep]
#     --bin DIR   release binaries to use (default: build them, scripts/common.sh build_release)
#     --keep      pause before DEL with the pods attached (prints the namespace names), go on at Enter
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$ROOT/scripts/testbed-lib.sh"

BACKEND="" NODES=2 PODS=2 PERF=0 KEEP=0 BIN="" LIMIT=""
usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --backend) BACKEND=${2:-}; shift 2 ;;
    --nodes) NODES=${2:-}; shift 2 ;;
    --pods) PODS=${2:-}; shift 2 ;;
    --perf) PERF=${2:-}; shift 2 ;;
    --bin) BIN=${2:-}; shift 2 ;;
    --timeout) LIMIT=${2:-}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$BACKEND" in vxlan|host-gw) ;; *) echo "--backend vxlan|host-gw is required" >&2; exit 2 ;; esac
case "$NODES" in 2|3) ;; *) echo "--nodes must be 2 or 3" >&2; exit 2 ;; esac
[[ "$PODS" =~ ^[1-9][0-9]?$ ]] || { echo "--pods must be 1..99" >&2; exit 2; }
[[ "$PERF" =~ ^[0-9]+$ ]] && [ "$PERF" -le 600 ] || { echo "--perf takes 0..600 seconds" >&2; exit 2; }
LIMIT=${LIMIT:-$((180 + 5 * NODES * PODS + 10 * PERF))}
[[ "$LIMIT" =~ ^[1-9][0-9]*$ ]] || { echo "--timeout takes seconds" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "testbed: needs root (it creates network namespaces)" >&2; exit 1; }

tools=(iproute2 iputils-ping jq coreutils)
[ "$PERF" -gt 0 ] && tools+=(iperf3)
[ -z "$BIN" ] && tools+=("${BUILD_PACKAGES[@]}")
ensure_packages "${tools[@]}"
tb_need ip bridge jq ping timeout
[ "$PERF" -gt 0 ] && tb_need iperf3

WATCHDOG=""
# A signal that arrives while bash forks a command substitution can run the traps in the child as well
# (seen here with the watchdog's TERM): only the script's own shell cleans up; the watchdog repeats its TERM.
cleanup() {
  [ "$BASHPID" = $$ ] || return 0
  set +e   # runs as the EXIT trap: nothing here may stop it half-way
  trap - EXIT INT TERM
  [ -z "$WATCHDOG" ] || kill "$WATCHDOG" 2>/dev/null
  tb_teardown
}
trap cleanup EXIT
trap '[ "$BASHPID" = $$ ] || exit 130; echo "testbed: interrupted" >&2; exit 130' INT
trap '[ "$BASHPID" = $$ ] || exit 143; echo "testbed: terminated" >&2; exit 143' TERM
if [ "$KEEP" -eq 0 ]; then
  (trap 'kill $s 2>/dev/null; exit 0' TERM; sleep "$LIMIT" & s=$!; wait $s
   echo "testbed: time limit of ${LIMIT}s reached" >&2
   while kill -TERM $$ 2>/dev/null; do sleep 5 & s=$!; wait $s; done) &
  WATCHDOG=$!
fi

BIN=$(plugin_bin "$BIN") || { echo "testbed: no plugin binaries" >&2; exit 1; }

echo "== $BACKEND, $NODES nodes, $PODS pods each (pid $$)"
tb_setup "$BACKEND" "$NODES"
for ((i = 1; i <= NODES; i++)); do
  tb_plugin_config "$i" > "${TB_DIR[i]}/flannel.json"
  echo "node $i: ${TB_NS[i]} underlay ${TB_IP[i]} lease ${TB_SUBNET[i]} FLANNEL_MTU=${TB_MTU[i]}"
done
echo "stdin of flannel on node 1: $(cat "${TB_DIR[1]}/flannel.json")"

cni() { # COMMAND NODE POD: the node's runtime calling the first plugin of the conflist
  local pod=$3
  timeout 30 ip netns exec "${TB_NS[$2]}" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CNI_COMMAND="$1" \
    CNI_CONTAINERID="$pod" CNI_NETNS="/run/netns/$pod" CNI_IFNAME=eth0 CNI_PATH="$BIN" \
    CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=$pod;K8S_POD_INFRA_CONTAINER_ID=$pod" \
    "$BIN/flannel" < "${TB_DIR[$2]}/flannel.json"
}
pod() { echo "tb-n$1-p$2-$$"; }
declare -A IP

# ADD: the result names an address of the node's lease, cni0's address as gateway; eth0 has FLANNEL_MTU.
add_pod() { # NODE K
  local i=$1 k=$2 p out ip gw
  p=$(pod "$i" "$k")
  out=$(cni ADD "$i" "$p") || { echo "$out"; return 1; }
  ip=$(jq -r '.ips[0].address' <<<"$out") gw=$(jq -r '.ips[0].gateway' <<<"$out")
  IP[$i,$k]=${ip%/*}
  [[ "$ip" == 10.244.$i.*/24 && "$gw" == "${TB_GW[i]}" ]] || { echo "unexpected result: $out"; return 1; }
  [ "$(tb_link_mtu "$p" eth0)" = "${TB_MTU[i]}" ] || { echo "eth0 mtu $(tb_link_mtu "$p" eth0)"; return 1; }
}
echo "== ADD"
for ((i = 1; i <= NODES; i++)); do
  for ((k = 1; k <= PODS; k++)); do
    tb_netns_add "$(pod "$i" "$k")"
    TB_CHECKS=$((TB_CHECKS + 1))
    if add_pod "$i" "$k" > "$TB_WORK/add.out" 2>&1; then   # not in a subshell: it sets IP
      TB_PASSED=$((TB_PASSED + 1)); echo "PASS ADD $(pod "$i" "$k") on node $i: ${IP[$i,$k]}, mtu ${TB_MTU[i]}"
    else
      echo "FAIL ADD $(pod "$i" "$k") on node $i"; sed 's/^/     | /' "$TB_WORK/add.out" | head -20
    fi
  done
done

ping_ok() { # FROM_NS DST [ping options]: at least one reply
  local from=$1 dst=$2; shift 2
  timeout 10 ip netns exec "$from" ping -n -c 2 -i 0.2 -W 2 "$@" "$dst"
}
# One byte over the pod MTU with DF set must fail at once in the pod's own stack (EMSGSIZE, "local error"),
# not go out and be dropped on the way.
ping_refused() { # FROM_NS DST SIZE MTU
  local out rc=0
  out=$(timeout 10 ip netns exec "$1" ping -n -c 1 -W 2 -M do -s "$3" "$2" 2>&1) || rc=$?
  printf '%s\n' "$out"
  [ "$rc" -ne 0 ] && grep -q "local error: message too long, mtu=$4" <<<"$out" && grep -q '+1 errors' <<<"$out"
}

echo "== connectivity"
[ "$PODS" -ge 2 ] && tb_check "pod $(pod 1 1) -> $(pod 1 2) (same node)" ping_ok "$(pod 1 1)" "${IP[1,2]:-none}"
for ((i = 1; i <= NODES; i++)); do
  for ((j = 1; j <= NODES; j++)); do
    [ "$i" -eq "$j" ] && continue
    for ((k = 1; k <= PODS; k++)); do
      tb_check "pod $(pod "$i" "$k") -> $(pod "$j" "$k") (node $i -> node $j, ${IP[$j,$k]:-none})" \
        ping_ok "$(pod "$i" "$k")" "${IP[$j,$k]:-none}"
    done
    tb_check "pod $(pod "$i" 1) -> node $j cni0 gateway ${TB_GW[j]}" ping_ok "$(pod "$i" 1)" "${TB_GW[j]}"
    fill=$((TB_MTU[i] - 28))
    tb_check "node $i -> node $j: ping -M do -s $fill (fills the pod MTU ${TB_MTU[i]}) crosses" \
      ping_ok "$(pod "$i" 1)" "${IP[$j,1]:-none}" -M do -s "$fill"
    tb_check "node $i -> node $j: ping -M do -s $((fill + 1)) refused locally (message too long)" \
      ping_refused "$(pod "$i" 1)" "${IP[$j,1]:-none}" "$((fill + 1))" "${TB_MTU[i]}"
  done
done

# flanneld's per-node state, after the traffic: exactly the entries per remote node, nothing learned.
tables() { # NODE: prints the node's remote entries, one line each, sorted
  local ns=${TB_NS[$1]}
  if [ "$BACKEND" = vxlan ]; then
    ip -n "$ns" -j route show dev flannel.1 | jq -r '.[] | "route \(.dst) via \(.gateway) \(.flags | join(","))"'
    ip -n "$ns" -j neigh show dev flannel.1 | jq -r '.[] | "neigh \(.dst) \(.lladdr) \(.state | join(","))"'
    ip netns exec "$ns" bridge -j fdb show dev flannel.1 | jq -r '.[] | "fdb \(.mac) dst \(.dst) \(.state)"'
  else
    ip -n "$ns" -j route show | jq -r '.[] | select(.dst | startswith("10.244.")) | select(.dev != "cni0")
      | "route \(.dst) via \(.gateway) dev \(.dev)"'
    ip -n "$ns" -o link show dev flannel.1 2>/dev/null | sed 's/^/unexpected /'
  fi | sort
}
expected_tables() { # NODE
  local i=$1 j mac
  for ((j = 1; j <= NODES; j++)); do
    [ "$i" -eq "$j" ] && continue
    if [ "$BACKEND" = vxlan ]; then
      mac=$(jq -r .BackendData.VtepMAC "$TB_LEASES/10.244.$j.0-24")
      echo "route 10.244.$j.0/24 via 10.244.$j.0 onlink"
      echo "neigh 10.244.$j.0 $mac PERMANENT"
      echo "fdb $mac dst ${TB_IP[j]} permanent"
    else
      echo "route 10.244.$j.0/24 via ${TB_IP[j]} dev eth0"
    fi
  done | sort
}
same_tables() { diff <(expected_tables "$1") <(tables "$1"); }
echo "== per-node tables"
what="1 route"; [ "$BACKEND" = vxlan ] && what="1 route, 1 neighbour, 1 FDB entry"
for ((i = 1; i <= NODES; i++)); do
  tb_check "node $i: $what per remote node ($((NODES - 1)) remote)" same_tables "$i"
done

# --perf: TCP throughput (iperf3) and ping latency, pod to pod across nodes vs node to node over the same
# underlay, interleaved in 3 rounds; the median of each (the VM is shared), ping average of 50.
iperf() { # CLIENT_NS SERVER_NS SERVER_IP: prints Gbit/s received
  local out
  timeout $((PERF + 20)) ip netns exec "$2" iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
  local server=$!
  for _ in $(seq 50); do
    ip netns exec "$2" ss -Hltn 'sport = :5201' | grep -q . && break
    sleep 0.1
  done
  out=$(timeout $((PERF + 15)) ip netns exec "$1" iperf3 -c "$3" -p 5201 -t "$PERF" -J) || { wait "$server"; return 1; }
  wait "$server" || true
  jq -r '.end.sum_received.bits_per_second / 1e9 * 100 | round / 100' <<<"$out"
}
rtt() { # FROM_NS DST: prints the average rtt in ms
  timeout 20 ip netns exec "$1" ping -n -q -c 50 -i 0.02 -W 2 "$2" | sed -n 's|^rtt [^=]*= [^/]*/\([^/]*\)/.*|\1|p'
}
median() { printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
if [ "$PERF" -gt 0 ]; then
  echo "== perf ($BACKEND, iperf3 TCP ${PERF}s x3 interleaved, median; ping 50 x 20 ms, average; kernel $(uname -r))"
  P1=$(pod 1 1) P2=$(pod 2 1) ul=() pd=()
  for round in 1 2 3; do
    ul+=("$(iperf "${TB_NS[1]}" "${TB_NS[2]}" "${TB_IP[2]}" || echo 0)")
    pd+=("$(iperf "$P1" "$P2" "${IP[2,1]:-none}" || echo 0)")
  done
  ul_bw=$(median "${ul[@]}") pd_bw=$(median "${pd[@]}")
  ul_rtt=$(rtt "${TB_NS[1]}" "${TB_IP[2]}") pd_rtt=$(rtt "$P1" "${IP[2,1]:-none}")
  printf '%-28s %14s %14s %10s\n' "" "node-to-node" "pod-to-pod" "pod/node"
  printf '%-28s %14s %14s %10s\n' "TCP throughput (Gbit/s)" "$ul_bw" "$pd_bw" "$(ratio "$pd_bw" "$ul_bw")"
  printf '%-28s %14s %14s %10s\n' "ping rtt avg (ms)" "${ul_rtt:--}" "${pd_rtt:--}" \
    "$(ratio "${pd_rtt:-0}" "${ul_rtt:-0}")"
  echo "   (runs: node-to-node ${ul[*]}, pod-to-pod ${pd[*]} Gbit/s)"
  positive() { local v; for v; do awk -v v="$v" 'BEGIN { exit !(v + 0 > 0) }' || return 1; done; }
  tb_check "perf: iperf3 measured node-to-node and pod-to-pod" positive "${ul[@]}" "${pd[@]}"
  tb_check "perf: ping rtt measured node-to-node and pod-to-pod" positive "${ul_rtt:-0}" "${pd_rtt:-0}"
fi

if [ "$KEEP" -eq 1 ]; then
  echo "== --keep: pods attached; try e.g. ip netns exec $(pod 1 1) ping ${IP[2,1]:-}"
  echo "   namespaces: ${TB_MADE_NS[*]}"
  read -r -p "   press Enter to DEL every pod and remove the testbed " _ || true
fi

# DEL every pod as the runtime would, then nothing of ours may be left on any node.
echo "== DEL"
for ((i = 1; i <= NODES; i++)); do
  for ((k = 1; k <= PODS; k++)); do tb_check "DEL $(pod "$i" "$k")" cni DEL "$i" "$(pod "$i" "$k")"; done
done
node_clean() { # NODE
  local d=${TB_DIR[$1]} left
  left=$(find "$d/networks" -type f -name '10.*' 2>/dev/null)
  [ -z "$left" ] || { echo "reservations left: $left"; return 1; }
  left=$(find "$d/flannel" -mindepth 1 2>/dev/null)
  [ -z "$left" ] || { echo "flannel files left: $left"; return 1; }
  left=$(ip -n "${TB_NS[$1]}" -j link show type veth | jq -r '.[] | select(.ifname != "eth0") | .ifname')
  [ -z "$left" ] || { echo "veths left: $left"; return 1; }   # eth0: the node's own underlay link
}
pods_clean() { # NODE: no pod of the node has an eth0 any more
  local k
  for ((k = 1; k <= PODS; k++)); do
    ! ip -n "$(pod "$1" "$k")" link show eth0 2>/dev/null || { echo "$(pod "$1" "$k") still has eth0"; return 1; }
  done
}
for ((i = 1; i <= NODES; i++)); do
  tb_check "node $i after DEL: no reservation, no flannel file, no veth" node_clean "$i"
  tb_check "node $i after DEL: no pod has eth0" pods_clean "$i"
done

echo "testbed: $TB_PASSED/$TB_CHECKS checks passed"
[ "$TB_PASSED" -eq "$TB_CHECKS" ]
