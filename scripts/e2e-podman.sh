#!/usr/bin/env bash
# End-to-end under a real container runtime: podman (CNI backend) runs containers on our
# flannel -> bridge -> host-local chain, with the Go portmap chained after flannel (kube-flannel's
# conflist). Hermetic: private containers.conf and CNI config dir, temp data dirs, and podman runs
# inside a throw-away "node" namespace (cni0, veths and ip_forward stay in there).
#
#   scripts/e2e-podman.sh        (root; prints "N passed, N failed", exit 0 when all pass)
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
ensure_packages "${BUILD_PACKAGES[@]}" "${RUNTIME_PACKAGES[@]}" podman runc busybox-static containernetworking-plugins jq
BIN=$(build_release)

W=$(mktemp -d /tmp/cni-e2e.XXXXXX)
IMG=localhost/cni-e2e-bb:latest
export CONTAINERS_CONF=$W/containers.conf
P() { nsenter --net=/run/netns/$NS podman "$@" </dev/null; }
cleanup() {
  set +e
  [ -n "${NS:-}" ] && ids=$(P ps -aq --filter name=cnie2e-) && [ -n "$ids" ] && P rm -f -t 0 $ids >/dev/null
  rm -rf "$W"
  for c in /sys/fs/cgroup/*/libpod_parent; do find "$c" -depth -type d -exec rmdir {} + 2>/dev/null; done
}
cleanup_on_exit cleanup   # the containers go first, then the namespace

netns_new NS cnie2e
mkdir -p "$W/bin" "$W/net.d"
for p in flannel bridge host-local; do ln -s "$BIN/$p" "$W/bin/$p"; done
cat > "$W/containers.conf" <<CONF
[containers]
log_driver = "k8s-file"
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
[network]
network_backend = "cni"
cni_plugin_dirs = ["$W/bin", "/usr/lib/cni"]
network_config_dir = "$W/net.d"
CONF
printf 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n' > "$W/subnet.env"
# The shipped kube-flannel conflist, with its paths moved into the temp dir.
jq --arg w "$W" '.name = "cnie2e" | .plugins[0] += {subnetFile: ($w + "/subnet.env"), dataDir: ($w + "/flannel"),
   ipam: {dataDir: ($w + "/networks")}}' "$ROOT/conf/10-flannel.conflist" > "$W/net.d/10-flannel.conflist"

if ! podman image exists $IMG; then
  R=$W/rootfs; mkdir -p $R/bin $R/etc $R/proc $R/sys $R/dev $R/tmp $R/root
  cp /bin/busybox $R/bin/busybox
  for a in $($R/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox $R/bin/$a; done
  echo 'root:x:0:0:root:/root:/bin/sh' > $R/etc/passwd; echo 'root:x:0:' > $R/etc/group
  tar -C $R -c . | podman import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' - $IMG >/dev/null
fi

pass=0 fail=0
ok()  { echo "PASS: $*"; pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
reservations() { ls "$W/networks/cnie2e" 2>/dev/null | grep -c '^10\.' || true; }

# 1. a container gets an address from the node subnet and reaches its gateway
out=$(P run --rm --name cnie2e-1 --cap-add NET_RAW --network cnie2e $IMG \
      sh -c 'ip -4 -o addr show eth0; ping -c1 -W2 10.244.1.1' 2>&1) || true
echo "$out"
echo "$out" | grep -q 'inet 10\.244\.1\.' && echo "$out" | grep -q ' 0% packet loss' \
  && ok "run: address from 10.244.1.0/24, gateway reachable" || bad "run"
[ "$(reservations)" = 0 ] && ok "rm: IP released by DEL" || bad "reservation left after --rm"

# 2. two detached containers talk to each other; podman inspect shows our result
P run -d --name cnie2e-a --network cnie2e $IMG sleep 30 >/dev/null
P run -d --name cnie2e-b --cap-add NET_RAW --network cnie2e $IMG sleep 30 >/dev/null
ipa=$(P inspect cnie2e-a --format '{{(index .NetworkSettings.Networks "cnie2e").IPAddress}}')
[ -n "$ipa" ] && P exec cnie2e-b ping -c1 -W2 "$ipa" >/dev/null && ok "container to container ($ipa)" || bad "container to container"
[ -s "$W/flannel/$(P inspect cnie2e-a --format '{{.ID}}')" ] && ok "flannel stored the delegate config" || bad "no flannel file"
[ "$(reservations)" = 2 ] && ok "two reservations while running" || bad "reservations: $(reservations)"
ip -n $NS -br link show cni0 | grep -q UP && ok "cni0 up in the node namespace" || bad "cni0"
P rm -f -t 0 cnie2e-a cnie2e-b >/dev/null
[ "$(reservations)" = 0 ] && [ -z "$(ls "$W/flannel")" ] && ok "rm: both released, flannel files gone" || bad "leftovers after rm"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
