# shellcheck shell=bash
# testbed-lib.sh: a small flannel cluster in network namespaces, to be sourced by scripts.
#
# It plays flanneld's part (docs/DEVELOPING.md, testbed; shared data path facts): an underlay (a bridge in a
# namespace of its own), 2-3 node namespaces on it, a /24 lease per node from 10.244.0.0/16, each node's
# subnet.env in flanneld's format, and per remote node the backend's entries, programmed with iproute2:
#   vxlan:   flannel.1 (VNI 1, dstport 8472, nolearning) with the subnet's network address /32, and per
#            remote node 1 route (via its VTEP address, onlink), 1 permanent neighbour, 1 FDB entry;
#   host-gw: per remote node 1 route via the remote node's underlay address.
# No pods and no plugins are run. Nothing is created in the root namespace: every link, address, route
# and sysctl lives in the namespaces made here (veth pairs are created inside them).
#
# API (call as root, from a bash script with `set -euo pipefail`):
#   tb_setup BACKEND NODES   BACKEND vxlan|host-gw, NODES 2|3. Sets, for node i = 1..NODES:
#     TB_NS[i]      node namespace name (tb-n<i>-<pid>)      TB_IP[i]   underlay address (192.168.50.1<i>)
#     TB_SUBNET[i]  leased subnet (10.244.<i>.0/24)          TB_GW[i]   cni0 gateway (10.244.<i>.1)
#     TB_DIR[i]     node directory: subnet.env, flannel/ (flannel dataDir), networks/ (host-local dataDir)
#     TB_MTU[i]     FLANNEL_MTU written to the node's subnet.env
#   and TB_WORK (temp root), TB_UL (underlay namespace), TB_BACKEND, TB_NODES, TB_LEASES (flanneld's
#   etcd view: one file per lease, named like the etcd key, holding its JSON value).
#   tb_teardown              kills every process left in the namespaces made here, deletes them and
#                            TB_WORK. Idempotent; safe from a trap (EXIT/INT/TERM); does nothing in a
#                            subshell of the shell that ran tb_setup (bash can run a trap in a command
#                            substitution forked just as the signal arrived).
#   tb_netns_add NAME        creates a namespace that tb_teardown removes (e.g. pods). Names should end
#                            in -$$ (TB_SUFFIX) so parallel runs never collide.
#   tb_conflist I            prints conf/10-flannel.conflist with node I's paths (subnetFile, dataDir,
#                            ipam.dataDir) in its flannel entry, for a runtime running on node I.
#   tb_plugin_config I       prints what a runtime passes on stdin to flannel on node I (the conflist's
#                            first plugin with name and cniVersion injected).
#   tb_check NAME CMD...     runs CMD, prints "PASS NAME" or "FAIL NAME" (with CMD's output), counts
#                            into TB_PASSED/TB_CHECKS; never fails the caller.
#   tb_need CMD...           fails (exit 1) naming the commands not installed.
# Names carry the sourcing shell's pid ($$); every command that could block is bounded by a timeout.

TB_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TB_SUFFIX=$$
TB_UNDERLAY=192.168.50       # node i: .1<i>/24 on the underlay bridge
TB_CLUSTER=10.244.0.0/16
TB_VNI=1 TB_VXLAN_PORT=8472
TB_WORK="" TB_UL="" TB_BACKEND="" TB_NODES=0 TB_LEASES=""
TB_NS=() TB_IP=() TB_SUBNET=() TB_GW=() TB_DIR=() TB_MTU=()
TB_MADE_NS=() TB_OWNER=""    # TB_OWNER: the shell (BASHPID) that ran tb_setup
TB_PASSED=0 TB_CHECKS=0

tb_need() {
  local missing=() c
  for c in "$@"; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "testbed: missing tools: ${missing[*]}" >&2
  exit 1
}

tb_netns_add() {
  ip netns add "$1"
  TB_MADE_NS+=("$1")
  ip -n "$1" link set lo up
}

tb_check() {
  local name=$1 out rc=0; shift
  TB_CHECKS=$((TB_CHECKS + 1))
  out=$("$@" 2>&1) || rc=$?
  if [ "$rc" -eq 0 ]; then
    TB_PASSED=$((TB_PASSED + 1)); echo "PASS $name"
  else
    echo "FAIL $name (exit $rc)"; [ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/     | /' | head -20
  fi
  return 0
}

# Teardown: processes first (a namespace lives on while a process holds it), then pods, nodes, underlay.
tb_teardown() {
  # Only in the sourcing shell: bash may run a trap in a command substitution forked as a signal arrived.
  [ "$BASHPID" = "${TB_OWNER:-$BASHPID}" ] || return 0
  local ns pids i errexit=0
  case $- in *e*) errexit=1 ;; esac
  set +e
  # Every namespace we made, and any left with our suffix (e.g. made before it was recorded).
  local all=("${TB_MADE_NS[@]}")
  while read -r ns _; do
    case "$ns" in tb-*-"$TB_SUFFIX") all+=("$ns") ;; esac
  done < <(ip netns list 2>/dev/null)
  for ns in "${all[@]}"; do
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill $pids 2>/dev/null
  done
  for i in 1 2 3 4 5 6 7 8 9 10; do
    pids=""
    for ns in "${all[@]}"; do pids+=$(ip netns pids "$ns" 2>/dev/null); done
    [ -z "$pids" ] && break
    sleep 0.2
  done
  for ns in "${all[@]}"; do
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null
  done
  # Reverse order: pods (made last) before nodes before the underlay.
  for ((i = ${#all[@]} - 1; i >= 0; i--)); do
    ip netns del "${all[i]}" 2>/dev/null
  done
  TB_MADE_NS=()
  [ -n "$TB_WORK" ] && [ -d "$TB_WORK" ] && rm -rf "$TB_WORK"
  TB_WORK=""
  [ "$errexit" -eq 1 ] && set -e
  return 0
}

# What flanneld keeps in etcd: /coreos.com/network/config and one key per lease.
tb_write_lease() { # I BACKEND_DATA_JSON
  local i=$1 data=$2
  jq -n --arg ip "${TB_IP[i]}" --arg type "$TB_BACKEND" --argjson data "$data" \
    '{PublicIP: $ip, BackendType: $type, BackendData: $data}' > "$TB_LEASES/10.244.$i.0-24"
}

# flanneld's subnet.env (note the .1 host part of FLANNEL_SUBNET).
tb_write_subnet_env() { # I
  local i=$1
  cat > "${TB_DIR[i]}/subnet.env" <<EOF
FLANNEL_NETWORK=$TB_CLUSTER
FLANNEL_SUBNET=${TB_GW[i]}/24
FLANNEL_MTU=${TB_MTU[i]}
FLANNEL_IPMASQ=true
EOF
}

tb_link_mtu() { ip -n "$1" -j link show dev "$2" | jq -r '.[0].mtu'; }

tb_setup() {
  local backend=$1 nodes=$2 i j ns mac lease
  case "$backend" in vxlan|host-gw) ;; *) echo "tb_setup: backend must be vxlan or host-gw" >&2; return 2 ;; esac
  case "$nodes" in 2|3) ;; *) echo "tb_setup: 2 or 3 nodes" >&2; return 2 ;; esac
  [ "$(id -u)" -eq 0 ] || { echo "testbed: needs root (it creates network namespaces)" >&2; exit 1; }
  tb_need ip bridge jq timeout
  TB_BACKEND=$backend TB_NODES=$nodes TB_OWNER=$BASHPID
  TB_WORK=$(mktemp -d "/tmp/tb-$TB_SUFFIX.XXXXXX")
  TB_LEASES=$TB_WORK/etcd/coreos.com/network/subnets
  mkdir -p "$TB_LEASES"
  jq -n --arg net "$TB_CLUSTER" --arg type "$backend" '{Network: $net, SubnetLen: 24, Backend: {Type: $type}}' \
    > "$TB_WORK/etcd/coreos.com/network/config"

  # Underlay: one bridge in its own namespace; each node's eth0 is a veth whose peer is a bridge port.
  TB_UL=tb-ul-$TB_SUFFIX
  tb_netns_add "$TB_UL"
  ip -n "$TB_UL" link add br0 type bridge
  ip -n "$TB_UL" link set br0 up
  for ((i = 1; i <= nodes; i++)); do
    ns=tb-n$i-$TB_SUFFIX
    TB_NS[i]=$ns TB_IP[i]=$TB_UNDERLAY.1$i TB_SUBNET[i]=10.244.$i.0/24 TB_GW[i]=10.244.$i.1
    TB_DIR[i]=$TB_WORK/n$i
    mkdir -p "${TB_DIR[i]}/flannel" "${TB_DIR[i]}/networks"
    tb_netns_add "$ns"
    ip -n "$TB_UL" link add "n$i" type veth peer name eth0 netns "$ns"
    ip -n "$TB_UL" link set "n$i" master br0 up
    ip -n "$ns" addr add "${TB_IP[i]}/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
  done

  # Each node's flanneld: create the backend's device, then register its lease.
  for ((i = 1; i <= nodes; i++)); do
    ns=${TB_NS[i]}
    if [ "$backend" = vxlan ]; then
      ip -n "$ns" link add "flannel.$TB_VNI" type vxlan id "$TB_VNI" local "${TB_IP[i]}" dev eth0 \
        dstport "$TB_VXLAN_PORT" nolearning
      ip -n "$ns" addr add "10.244.$i.0/32" dev "flannel.$TB_VNI"
      ip -n "$ns" link set "flannel.$TB_VNI" up
      TB_MTU[i]=$(tb_link_mtu "$ns" "flannel.$TB_VNI")   # underlay MTU - 50
      mac=$(ip -n "$ns" -j link show dev "flannel.$TB_VNI" | jq -r '.[0].address')
      tb_write_lease "$i" "$(jq -nc --arg mac "$mac" --argjson vni "$TB_VNI" '{VNI: $vni, VtepMAC: $mac}')"
    else
      TB_MTU[i]=$(tb_link_mtu "$ns" eth0)
      tb_write_lease "$i" '{}'
    fi
    tb_write_subnet_env "$i"
  done

  # Each node's flanneld: program every remote lease.
  for ((i = 1; i <= nodes; i++)); do
    ns=${TB_NS[i]}
    for ((j = 1; j <= nodes; j++)); do
      [ "$i" -eq "$j" ] && continue
      lease=$TB_LEASES/10.244.$j.0-24
      local public; public=$(jq -r .PublicIP "$lease")
      if [ "$backend" = vxlan ]; then
        mac=$(jq -r .BackendData.VtepMAC "$lease")
        ip -n "$ns" neigh add "10.244.$j.0" lladdr "$mac" dev "flannel.$TB_VNI" nud permanent
        ip netns exec "$ns" bridge fdb add "$mac" dev "flannel.$TB_VNI" dst "$public" self permanent
        ip -n "$ns" route add "10.244.$j.0/24" via "10.244.$j.0" dev "flannel.$TB_VNI" onlink
      else
        ip -n "$ns" route add "10.244.$j.0/24" via "$public" dev eth0
      fi
    done
  done
}

tb_conflist() { # I
  local i=$1
  jq --arg dir "${TB_DIR[i]}" '.plugins[0] += {subnetFile: ($dir + "/subnet.env"), dataDir: ($dir + "/flannel"),
      ipam: {dataDir: ($dir + "/networks")}}' "$TB_LIB_DIR/../conf/10-flannel.conflist"
}

tb_plugin_config() { # I
  tb_conflist "$1" | jq -c '.plugins[0] + {name: .name, cniVersion: .cniVersion}'
}
