#!/usr/bin/env bash
# End-to-end under containerd (Debian `containerd` 1.6), driven through the CRI API as kubelet drives it, on
# the shipped kube-flannel conflist with our flannel -> bridge -> host-local chain and the Go `portmap` and
# `loopback` (containernetworking-plugins), as a node has them. Hermetic: each containerd runs inside a
# throw-away node network namespace and a private mount namespace (tmpfs /run; /var/lib/cni, /etc/cni/net.d
# and /opt/cni/bin bound to its temp dir), with its root, state, socket and images in the temp dir; the
# machine's /etc, /opt, /var/lib/cni, /run and root network namespace are not touched.
#
#   scripts/e2e-containerd.sh [--bin DIR] [--single-node | --two-nodes] [--churn N]
#
# Single node: two pod sandboxes through CRI (one with a hostPort, so portmap runs on flannel's result),
# PodSandboxStatus, pings, hostPort, Stop / second Stop / Remove, a churn of N sandboxes (20), two
# `ctr run --cni` containers, and no leftovers. Two nodes: the same runtime on two testbed nodes joined by
# VXLAN (scripts/testbed-lib.sh, or TESTBED_LIB=FILE), a pod on each, pinging across. Default: both (the
# two-node part fails under CI=true when the testbed library is missing, and is skipped with a message
# otherwise). --bin DIR uses release binaries from DIR instead of building them. Prints PASS/FAIL lines and
# "e2e-containerd: P/N checks passed"; exit 0 iff all pass. Root; about 30 s. E2E_KEEP=1 keeps the temp dir
# (containerd logs, flannel-calls: each flannel call the runtime made) for a look after a failure.
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ "$(id -u)" -eq 0 ] || { echo "e2e-containerd: run as root" >&2; exit 1; }

BIN="" MODE=all CHURN=20
while [ $# -gt 0 ]; do
  case $1 in
    --bin) BIN=$2; shift 2 ;;
    --single-node) MODE=single; shift ;;
    --two-nodes) MODE=two; shift ;;
    --churn) CHURN=$2; shift 2 ;;
    *) echo "usage: $0 [--bin DIR] [--single-node | --two-nodes] [--churn N]" >&2; exit 2 ;;
  esac
done
TESTBED_LIB=${TESTBED_LIB:-$ROOT/scripts/testbed-lib.sh}

ensure_packages "${RUNTIME_PACKAGES[@]}" containerd runc busybox-static containernetworking-plugins jq \
  python3 util-linux
# The CRI client needs grpcio: the first python3 on PATH if it has it, else Debian's python3 with python3-grpcio.
PY=python3
if ! "$PY" -c 'import grpc' 2>/dev/null; then
  ensure_packages python3-grpcio
  PY=/usr/bin/python3
  "$PY" -c 'import grpc' || { echo "e2e-containerd: no grpcio for $PY" >&2; exit 1; }
fi
BIN=$(plugin_bin "$BIN") || { echo "e2e-containerd: no plugin binaries" >&2; exit 1; }
for p in portmap loopback; do
  [ -x "/usr/lib/cni/$p" ] || { echo "e2e-containerd: no /usr/lib/cni/$p" >&2; exit 1; }
done

W=$(mktemp -d /tmp/ctd-e2e.XXXXXX)
TAG=ctde2e-$$                      # netns names, cgroup parent
CGROUP=/$TAG
PAUSE_IMG=localhost/ctd-e2e-pause:1
BB_IMG=localhost/ctd-e2e-bb:1
CRI_CLIENT=$ROOT/scripts/cri-client.py
OWN_NETNS=()                       # namespaces this script created (the testbed's are removed by tb_teardown)
NODES=()                           # node keys with a containerd: ctd_<key>_* variables hold its state
TB_UP=0

pass=0 fail=0 skipped=0
ok()  { echo "PASS: $*"; pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

# ---------------------------------------------------------------------------------------------------------
# One containerd per node. ctd_start KEY NODE_NETNS WORKDIR SUBNET_ENV starts it; its pid, socket and dirs
# are kept in ctd_<KEY>_{pid,sock,dir,mntns,netns}. Every client call goes through cri/ctr/in_ctd KEY ...

ctd_var() { local v="ctd_$1_$2"; printf '%s' "${!v}"; }

ctd_start() {
  local key=$1 netns=$2 wd=$3 subnet_env=$4 i
  mkdir -p "$wd"/{bin,net.d,root,state,cni,flannel,networks,ovl,pods}
  # The plugin directory a node has: our three binaries plus Go portmap and loopback (CRI sets up lo
  # itself with loopback). flannel goes through a wrapper that logs each call (command, container,
  # netns) and then execs the real binary, so the test can see which DELs the runtime made.
  for p in bridge host-local; do cp "$BIN/$p" "$wd/bin/$p"; done
  cp "$BIN/flannel" "$wd/bin/flannel.real"
  printf '#!/bin/sh\necho "$CNI_COMMAND $CNI_CONTAINERID netns=$CNI_NETNS" >> %s/flannel-calls\nexec %s "$@"\n' \
    "$wd" "$wd/bin/flannel.real" > "$wd/bin/flannel"
  chmod 755 "$wd/bin/flannel"
  for p in portmap loopback; do ln -s "/usr/lib/cni/$p" "$wd/bin/$p"; done
  # The shipped kube-flannel conflist, with flannel's paths moved into the temp dir.
  jq --arg w "$wd" --arg s "$subnet_env" '.plugins[0] += {subnetFile: $s, dataDir: ($w + "/flannel"),
     ipam: {dataDir: ($w + "/networks")}}' "$ROOT/conf/10-flannel.conflist" > "$wd/net.d/10-flannel.conflist"
  cat > "$wd/config.toml" <<EOF
version = 2
root = "$wd/root"
state = "$wd/state"
# opt would create /opt/containerd; the other snapshotters are not used.
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "$wd/containerd.sock"
[ttrpc]
  address = "$wd/containerd.sock.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMG"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  # The sandbox's oom_score_adj (-998) needs CAP_SYS_RESOURCE, which VMs and CI runners often lack
  # (runc: "failed to update /proc/self/oom_score_adj: Permission denied"): keep it >= containerd's own.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$wd/bin"
    conf_dir = "$wd/net.d"
    max_conf_num = 1
EOF
  # Mounts of the private mount namespace. A fixed path that does not exist on this machine (say /opt/cni)
  # gets an overlay on its nearest existing parent first, so nothing is created outside the temp dir.
  cat > "$wd/mounts.sh" <<'EOF'
set -eu
wd=$1; n=0
bind_over() {
  local src=$1 target=$2 parent
  if [ ! -d "$target" ]; then
    parent=$(dirname "$target"); while [ ! -d "$parent" ]; do parent=$(dirname "$parent"); done
    n=$((n+1)); mkdir -p "$wd/ovl/$n/up" "$wd/ovl/$n/work"
    mount -t overlay overlay -o "lowerdir=$parent,upperdir=$wd/ovl/$n/up,workdir=$wd/ovl/$n/work" "$parent"
    mkdir -p "$target"
  fi
  mount --bind "$src" "$target"
}
mount -t tmpfs -o mode=755 tmpfs /run          # shim sockets (/run/containerd/s), pod netns (/run/netns)
bind_over "$wd/cni" /var/lib/cni               # libcni's result cache
bind_over "$wd/net.d" /etc/cni/net.d           # ctr run --cni reads these fixed dirs
bind_over "$wd/bin" /opt/cni/bin
exec containerd --config "$wd/config.toml"
EOF
  # nsenter --net (not ip netns exec, which remounts /sys and hides the cgroup mounts from runc).
  nsenter --net="/run/netns/$netns" unshare -m --propagation private bash "$wd/mounts.sh" "$wd" \
    > "$wd/containerd.log" 2>&1 &
  local pid=$!
  printf -v "ctd_${key}_pid" %s "$pid"
  printf -v "ctd_${key}_sock" %s "$wd/containerd.sock"
  printf -v "ctd_${key}_dir" %s "$wd"
  printf -v "ctd_${key}_netns" %s "$netns"
  NODES+=("$key")
  for i in $(seq 100); do
    [ -S "$wd/containerd.sock" ] && cri "$key" version >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { tail -20 "$wd/containerd.log" >&2; return 1; }
    sleep 0.1
  done
  printf -v "ctd_${key}_mntns" %s "$(readlink "/proc/$pid/ns/mnt")"
  # The images: the sandbox ("pause") image into the CRI namespace, busybox into ctr's.
  ctr "$key" -n k8s.io images import "$W/pause.tar" >/dev/null
  ctr "$key" -n e2e images import "$W/bb.tar" >/dev/null
  # CRI reports NetworkReady once it has loaded the conflist (our flannel answered VERSION).
  for i in $(seq 50); do cri "$key" status >/dev/null 2>&1 && return 0; sleep 0.1; done
  cri "$key" status >&2 || true
  return 1
}

# Clients run inside the node's network namespace and containerd's mount namespace (ctr run --cni execs
# the plugins itself and reads /etc/cni/net.d, /opt/cni/bin, /var/lib/cni there).
in_ctd() { local key=$1; shift; nsenter -t "$(ctd_var "$key" pid)" -m -n "$@"; }
cri() { local key=$1; shift; "$PY" "$CRI_CLIENT" --address "unix://$(ctd_var "$key" sock)" "$@"; }
ctr() { local key=$1; shift; in_ctd "$key" ctr -a "$(ctd_var "$key" sock)" "$@"; }

ctd_stop() {
  local key=$1 pid mntns id ids p
  pid=$(ctd_var "$key" pid) mntns=$(ctd_var "$key" mntns)
  kill -0 "$pid" 2>/dev/null || return 0
  ids=$(cri "$key" lsp 2>/dev/null | awk '{print $1}') || true
  if [ -n "$ids" ]; then
    # shellcheck disable=SC2086
    { cri "$key" stopp $ids; cri "$key" rmp $ids; } >/dev/null 2>&1 || true
  fi
  for id in $(ctr "$key" -n e2e tasks ls -q 2>/dev/null); do
    ctr "$key" -n e2e tasks kill -s KILL "$id" >/dev/null 2>&1 || true
  done
  for id in $(ctr "$key" -n e2e containers ls -q 2>/dev/null); do
    ctr "$key" -n e2e tasks delete -f "$id" >/dev/null 2>&1 || true
    ctr "$key" -n e2e containers delete "$id" >/dev/null 2>&1 || true
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  # Shims outlive containerd; they are the processes left in its private mount namespace.
  if [ -n "$mntns" ]; then
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$mntns" ] && kill -9 "${p#/proc/}" 2>/dev/null
    done
  fi
  return 0
}

cleanup() {
  set +e
  local key c ns
  for key in "${NODES[@]}"; do ctd_stop "$key"; done
  # Container processes left by a failed run live in our cgroup parent; then remove the (empty) cgroups.
  for c in /sys/fs/cgroup/*/"$TAG"; do
    [ -d "$c" ] || continue
    find "$c" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -9 2>/dev/null
    sleep 0.1
    find "$c" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  [ "$TB_UP" = 1 ] && tb_teardown
  for ns in "${OWN_NETNS[@]}"; do ip netns del "$ns" 2>/dev/null; done
  [ "${E2E_KEEP:-0}" = 1 ] && echo "kept $W" || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------------------
# Images: one busybox-static layer, assembled offline; the pause image sleeps (Entrypoint, no Cmd: a Cmd
# would be appended to it), the other runs a shell.
R=$W/rootfs; mkdir -p "$R"/{bin,etc,proc,sys,dev,tmp,root}
cp /bin/busybox "$R/bin/busybox"
for a in $("$R/bin/busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$R/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$R/etc/passwd"; echo 'root:x:0:' > "$R/etc/group"
python3 "$ROOT/scripts/oci-image.py" --rootfs "$R" --name "$PAUSE_IMG" --output "$W/pause.tar" \
  --entrypoint '["/bin/sleep","2147483647"]' >/dev/null
python3 "$ROOT/scripts/oci-image.py" --rootfs "$R" --name "$BB_IMG" --output "$W/bb.tar" --cmd '["/bin/sh"]' >/dev/null

# Helpers on a node's state.
# host-local's directory holds lock, last_reserved_ip.N and its boot_id marker besides one file per address.
reservations() {
  ls "$(ctd_var "$1" dir)/networks/cbr0" 2>/dev/null \
    | grep -v -e '^lock$' -e '^last_reserved_ip\.' -e '^boot_id$' || true
}
# the bridge plugin's host ends (veth + 8 hex); a testbed node's own underlay veth is not one of them
veths() {
  ip -n "$(ctd_var "$1" netns)" -o link show type veth 2>/dev/null | awk -F': ' '$2 ~ /^veth/ {print $2}' || true
}
cache_entries() { ls "$(ctd_var "$1" dir)/cni/results" 2>/dev/null || true; }
portmap_rules() {
  # portmap's per-pod chains and the jumps into them (the top-level CNI-HOSTPORT-* chains stay, as on a node)
  in_ctd "$1" iptables-save 2>/dev/null | grep -E '^(:CNI-DN-|-A CNI-HOSTPORT-DNAT .*CNI-DN-|-A CNI-DN-)' || true
}
nothing_left() {
  local key=$1 d
  d=$(ctd_var "$key" dir)
  [ -z "$(reservations "$key")" ] && [ -z "$(ls -A "$d/flannel" 2>/dev/null)" ] && [ -z "$(veths "$key")" ] \
    && [ -z "$(cache_entries "$key")" ] && [ -z "$(portmap_rules "$key")" ] && return 0
  echo "  left on $key: reservations [$(reservations "$key" | xargs)] flannel [$(ls -A "$d/flannel" | xargs)]" \
       "veths [$(veths "$key" | xargs)] cache [$(cache_entries "$key" | xargs)]" \
       "portmap [$(portmap_rules "$key" | xargs)]"
  return 1
}
field() { jq -r ".$2" <<<"$1"; }
vxlan_tx() { ip -n "$1" -j -s link show flannel.1 | jq '.[0].stats64.tx.packets'; }
in_subnet() {
  python3 -c 'import ipaddress as a, sys; sys.exit(a.ip_address(sys.argv[1]) not in a.ip_network(sys.argv[2]))' "$@" \
    2>/dev/null
}
pod_ping() { nsenter -t "$1" -n ping -c1 -W2 "$2" >/dev/null 2>&1; }      # pid of a process in the pod, target
runp() { local key=$1; shift; cri "$key" runp --cgroup-parent "$CGROUP" --log-dir "$(ctd_var "$key" dir)/pods" "$@"; }

# ---------------------------------------------------------------------------------------------------------
single_node() {
  local ns=$TAG-n1 a b sa sb ipa ipb pida pidb calls cached t0 i ids=() id r1 r2
  ip netns add "$ns"; OWN_NETNS+=("$ns")
  ip -n "$ns" link set lo up
  printf 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n' \
    > "$W/subnet.env"
  t0=$(date +%s%N)
  if ctd_start n1 "$ns" "$W/n1" "$W/subnet.env"; then
    ok "containerd up in node namespace, images imported, CRI NetworkReady ($(( ($(date +%s%N)-t0)/1000000 )) ms)"
  else
    bad "containerd start (log: $(tail -3 "$W/n1/containerd.log" | xargs))"; return
  fi
  echo "  $(cri n1 version)"

  # --- two pod sandboxes through CRI, one with a hostPort (portmap runs on flannel's result) ---
  t0=$(date +%s%N)
  a=$(runp n1 --name pod-a --port 18080:8080) || { bad "RunPodSandbox pod-a"; return; }
  b=$(runp n1 --name pod-b) || { bad "RunPodSandbox pod-b"; return; }
  ok "RunPodSandbox x2 ($(( ($(date +%s%N)-t0)/1000000 )) ms)"
  sa=$(cri n1 inspectp "$a") sb=$(cri n1 inspectp "$b")
  ipa=$(field "$sa" ip) ipb=$(field "$sb" ip) pida=$(field "$sa" pid) pidb=$(field "$sb" pid)
  echo "  pod-a ${a:0:12} $ipa netns $(field "$sa" netns); pod-b ${b:0:12} $ipb"
  check "PodSandboxStatus: both READY" [ "$(field "$sa" state)/$(field "$sb" state)" = SANDBOX_READY/SANDBOX_READY ]
  # The address CRI reports is the one our chain returned: libcni's cached result (the conflist's final
  # result, after portmap), host-local's reservation for the sandbox, and eth0 inside the pod.
  cached=$(jq -r '.result.ips[0].address' "$W/n1/cni/results/cbr0-$a-eth0" 2>/dev/null || true)
  check "PodSandboxStatus ip = chain result ($ipa = $cached)" eval '[ -n "$ipa" ] && [ "$ipa/24" = "$cached" ]'
  check "host-local reserved $ipa for the sandbox" grep -q "^$a" "$W/n1/networks/cbr0/$ipa"
  check "eth0 in pod-a has $ipa/24" eval 'nsenter -t "$pida" -n ip -4 -o addr show eth0 | grep -q " $ipa/24 "'
  check "no additional_ips (single stack)" [ "$(field "$sa" 'additional_ips | length')" = 0 ]
  check "flannel stored both delegate configs" eval '[ -s "$W/n1/flannel/$a" ] && [ -s "$W/n1/flannel/$b" ]'
  check "pod-a -> pod-b ($ipb)" pod_ping "$pida" "$ipb"
  check "pod-b -> pod-a ($ipa)" pod_ping "$pidb" "$ipa"
  check "pod-a -> gateway 10.244.1.1" pod_ping "$pida" 10.244.1.1
  check "pod-b -> gateway 10.244.1.1" pod_ping "$pidb" 10.244.1.1
  check "pod lo is up (loopback plugin)" pod_ping "$pida" 127.0.0.1
  check "portmap DNAT 18080 -> $ipa:8080 in the node namespace" \
    eval 'in_ctd n1 iptables-save -t nat | grep -q -- "--dport 18080 .*--to-destination $ipa:8080"'
  # hostPort end to end: a listener in pod-a, reached from the node through 10.244.1.1:18080.
  nsenter -t "$pida" -n timeout 10 busybox nc -l -p 8080 -e echo from-pod-a >/dev/null 2>&1 &
  local ncpid=$! reply=""
  for i in $(seq 20); do
    reply=$(in_ctd n1 timeout 3 busybox nc 10.244.1.1 18080 </dev/null 2>/dev/null || true)
    [ -n "$reply" ] && break; sleep 0.1
  done
  kill "$ncpid" 2>/dev/null || true; wait "$ncpid" 2>/dev/null || true
  check "hostPort 18080 reaches pod-a:8080 (reply '$reply')" [ "$reply" = from-pod-a ]

  # --- Stop (DEL with the netns), second Stop and Remove (DEL with CNI_NETNS empty) ---
  : > "$W/n1/flannel-calls"
  check "StopPodSandbox pod-a" cri n1 stopp "$a"
  calls=$(cat "$W/n1/flannel-calls")
  check "Stop ran DEL with the pod's netns" grep -q "^DEL $a netns=/" <<<"$calls"
  check "pod-a released: reservation, flannel file, cache entry, portmap rule gone" \
    eval '[ ! -e "$W/n1/networks/cbr0/$ipa" ] && [ ! -e "$W/n1/flannel/$a" ] &&
          [ ! -e "$W/n1/cni/results/cbr0-$a-eth0" ] && ! portmap_rules n1 | grep -q .'
  check "PodSandboxStatus after Stop: NOTREADY" [ "$(field "$(cri n1 inspectp "$a")" state)" = SANDBOX_NOTREADY ]
  : > "$W/n1/flannel-calls"
  check "second StopPodSandbox succeeds" cri n1 stopp "$a"
  check "RemovePodSandbox succeeds" cri n1 rmp "$a"
  calls=$(cat "$W/n1/flannel-calls")
  echo "  DELs after the first Stop: $(grep -c "^DEL $a netns=$" <<<"$calls" || true) with empty CNI_NETNS"
  check "second Stop / Remove ran DEL with empty CNI_NETNS" grep -q "^DEL $a netns=$" <<<"$calls"
  check "pod-a gone from ListPodSandbox" eval '! cri n1 lsp | grep -q "^$a "'
  cri n1 stopp "$b" && cri n1 rmp "$b" || bad "Stop/Remove pod-b"
  check "after both pods: nothing left (reservations, flannel files, veths, cache, portmap)" nothing_left n1

  # --- churn: N sandboxes created, then all removed ---
  local out made nres nveth t1 t2
  t0=$(date +%s%N) r1=ok r2=ok
  out=$(runp n1 --name churn --count "$CHURN" --port 20000:80) || r1=failed
  mapfile -t ids < <(grep . <<<"$out")
  made=${#ids[@]} nres=$(reservations n1 | wc -l) nveth=$(veths n1 | wc -l) t1=$(date +%s%N)
  { cri n1 stopp "${ids[@]}" && cri n1 rmp "${ids[@]}"; } || r2=failed
  t2=$(date +%s%N)
  echo "  churn: $made/$CHURN sandboxes ($r1) with $nres reservations and $nveth veths in $(( (t1-t0)/1000000 )) ms;" \
       "stopped and removed ($r2) in $(( (t2-t1)/1000000 )) ms"
  check "churn: $CHURN sandboxes created (each with an address and a veth) and removed" \
    [ "$r1/$r2/$made/$nres/$nveth" = "ok/ok/$CHURN/$CHURN/$CHURN" ]
  check "churn: nothing left" nothing_left n1
  check "churn: no sandbox left in CRI" eval '[ -z "$(cri n1 lsp)" ]'

  # --- ctr run --cni: two containers (CNI container id "<namespace>-<id>", netns /proc/PID/ns/net) ---
  local c pid ip1 ip2 pid1 pid2
  for c in c1 c2; do
    ctr n1 -n e2e run --rm --cni --cgroup "$CGROUP/ctr-$c" "$BB_IMG" "$c" sleep 600 </dev/null \
      > "$W/ctr-$c.log" 2>&1 &
    printf -v "ctrpid_$c" %s $!
  done
  for i in $(seq 100); do
    [ -s "$W/n1/flannel/e2e-c1" ] && [ -s "$W/n1/flannel/e2e-c2" ] && \
      ctr n1 -n e2e tasks ls 2>/dev/null | grep -q '^c2 .*RUNNING' && \
      ctr n1 -n e2e tasks ls 2>/dev/null | grep -q '^c1 .*RUNNING' && break
    sleep 0.1
  done
  pid1=$(ctr n1 -n e2e tasks ls | awk '$1 == "c1" {print $2}')
  pid2=$(ctr n1 -n e2e tasks ls | awk '$1 == "c2" {print $2}')
  ip1=$(nsenter -t "${pid1:-0}" -n ip -4 -o addr show eth0 2>/dev/null | awk '{print $4}')
  ip2=$(nsenter -t "${pid2:-0}" -n ip -4 -o addr show eth0 2>/dev/null | awk '{print $4}')
  echo "  ctr: c1 $ip1, c2 $ip2"
  check "ctr run --cni: both containers have addresses from 10.244.1.0/24" \
    eval '[[ $ip1 == 10.244.1.*/24 && $ip2 == 10.244.1.*/24 ]]'
  check "ctr: c1 -> c2" pod_ping "${pid1:-0}" "${ip2%/*}"
  check "ctr: c2 -> gateway" pod_ping "${pid2:-0}" 10.244.1.1
  ctr n1 -n e2e tasks kill -s KILL c1 >/dev/null 2>&1; ctr n1 -n e2e tasks kill -s KILL c2 >/dev/null 2>&1
  for c in c1 c2; do local v="ctrpid_$c"; timeout 20 tail --pid="${!v}" -f /dev/null || true; done
  check "ctr: task kill ends both runs; DEL released everything" nothing_left n1
  check "ctr: containers removed (--rm)" eval '[ -z "$(ctr n1 -n e2e containers ls -q)" ]'
  ctd_stop n1
}

# ---------------------------------------------------------------------------------------------------------
two_nodes() {
  if [ "$HAVE_TB" != 1 ]; then
    if [ "${CI:-}" = true ]; then bad "two nodes: no testbed library ($TESTBED_LIB)"
    else echo "SKIP: two nodes: no testbed library ($TESTBED_LIB; set TESTBED_LIB=FILE)"; skipped=1; fi
    return
  fi
  TB_UP=1
  tb_setup vxlan 2 || { bad "two nodes: tb_setup vxlan 2"; return; }
  trap cleanup EXIT                # ours again, should the library have set its own (cleanup calls tb_teardown)
  trap 'exit 130' INT TERM
  local idx=("${!TB_NS[@]}") i key id st pids=() ips=() ids=()
  for i in "${idx[@]}"; do
    key=tb$i
    if ! ctd_start "$key" "${TB_NS[$i]}" "$W/$key" "${TB_DIR[$i]}/subnet.env"; then
      bad "two nodes: containerd on ${TB_NS[$i]}"; return
    fi
    id=$(runp "$key" --name "pod-$i") || { bad "two nodes: RunPodSandbox on ${TB_NS[$i]}"; return; }
    st=$(cri "$key" inspectp "$id")
    ids+=("$id") ips+=("$(field "$st" ip)") pids+=("$(field "$st" pid)")
    echo "  node ${TB_NS[$i]} (${TB_IP[$i]}, ${TB_SUBNET[$i]}): pod ${id:0:12} ${ips[-1]}"
    check "two nodes: pod on node $i has an address in ${TB_SUBNET[$i]}" in_subnet "${ips[-1]}" "${TB_SUBNET[$i]}"
  done
  local a=${idx[0]} b=${idx[1]} tx0 tx1 out
  # Across the overlay: pod A's node routes pod B's subnet through flannel.1 (two routed hops: ttl 62).
  tx0=$(vxlan_tx "${TB_NS[$a]}")
  out=$(nsenter -t "${pids[0]}" -n ping -c2 -W2 "${ips[1]}" 2>&1) || true
  tx1=$(vxlan_tx "${TB_NS[$a]}")
  echo "  ${out//$'\n'/$'\n'  }" | grep -E 'ttl=|transmitted' || true
  check "two nodes: pod on node $a -> pod on node $b (${ips[1]}), through flannel.1 (tx +$((tx1-tx0)))" \
    eval '[[ $out == *" 0% packet loss"* && $out == *"ttl=62"* ]] && [ $((tx1-tx0)) -ge 2 ]'
  check "two nodes: pod on node $b -> pod on node $a (${ips[0]})" pod_ping "${pids[1]}" "${ips[0]}"
  check "two nodes: pod on node $a -> node $b's gateway ${TB_GW[$b]}" pod_ping "${pids[0]}" "${TB_GW[$b]}"
  for i in 0 1; do
    key=tb${idx[$i]}
    cri "$key" stopp "${ids[$i]}" && cri "$key" rmp "${ids[$i]}" || bad "two nodes: Stop/Remove on $key"
    check "two nodes: node ${idx[$i]}: nothing left" nothing_left "$key"
    ctd_stop "$key"
  done
}

# The testbed library is sourced here, at the top level, so that the arrays it declares are global.
HAVE_TB=0
if [ "$MODE" != single ] && [ -f "$TESTBED_LIB" ]; then
  # shellcheck source=/dev/null
  . "$TESTBED_LIB"
  HAVE_TB=1
fi
t_start=$(date +%s)
[ "$MODE" = two ] || single_node
[ "$MODE" = single ] || two_nodes
echo "e2e-containerd: $pass/$((pass+fail)) checks passed ($(( $(date +%s)-t_start )) s)"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ] || [ "$fail/$pass/$skipped" = 0/0/1 ]
