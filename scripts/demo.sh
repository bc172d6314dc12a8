#!/usr/bin/env bash
# The main job: the flannel -> bridge -> host-local chain in throw-away network namespaces.
#
# Installs dependencies, builds the release binaries, writes a default subnet.env and the
# kube-flannel conflist into a temp dir, creates a "host" namespace (where cni0 and the veth
# host ends live, as on a node) and two pod namespaces, runs ADD for both pods through
# `flannel`, prints the results, pings pod to pod and pod to gateway, then DEL (twice: DEL is
# idempotent) and removes everything it made. Nothing changes in the machine's root namespace.
#
#   scripts/demo.sh [--subnet-env FILE]     (default: a built-in subnet.env, 10.244.1.0/24)
set -euo pipefail
. "$(dirname "$0")/common.sh"

SUBNET_ENV=""
while [ $# -gt 0 ]; do
  case "$1" in
    --subnet-env) SUBNET_ENV=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "the demo creates network namespaces: run it as root" >&2; exit 1; }

ensure_packages "${BUILD_PACKAGES[@]}" "${RUNTIME_PACKAGES[@]}" jq
echo "== building release binaries"
BIN=$(build_release)

W=$(mktemp -d /tmp/cni-demo.XXXXXX)
cleanup() { rm -rf "$W"; }
cleanup_on_exit cleanup

mkdir -p "$W/bin" "$W/net.d"
for p in flannel bridge host-local; do ln -s "$BIN/$p" "$W/bin/$p"; done
if [ -n "$SUBNET_ENV" ]; then cp "$SUBNET_ENV" "$W/subnet.env"; else
  cat > "$W/subnet.env" <<ENV
FLANNEL_NETWORK=10.244.0.0/16
FLANNEL_SUBNET=10.244.1.1/24
FLANNEL_MTU=1450
FLANNEL_IPMASQ=true
ENV
fi
cp "$ROOT/conf/10-flannel.conflist" "$W/net.d/10-flannel.conflist"
echo "== subnet.env"; cat "$W/subnet.env"

# What a runtime sends to the first plugin of the list: the plugin object plus name and cniVersion.
# Paths point into the temp dir instead of /run/flannel and /var/lib/cni.
jq --arg w "$W" '.plugins[0] + {name: .name, cniVersion: .cniVersion,
      subnetFile: ($w + "/subnet.env"), dataDir: ($w + "/flannel"),
      ipam: {dataDir: ($w + "/networks")}}' "$W/net.d/10-flannel.conflist" > "$W/flannel.json"
echo "== config given to flannel"; cat "$W/flannel.json"

netns_new HOST demo-host; netns_new POD1 demo-pod1; netns_new POD2 demo-pod2

cni() { # cni COMMAND POD
  ip netns exec "$HOST" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CNI_COMMAND="$1" CNI_CONTAINERID="$2" \
    CNI_NETNS="/run/netns/$2" CNI_IFNAME=eth0 CNI_PATH="$W/bin" \
    CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=$2" "$W/bin/flannel" < "$W/flannel.json"
}

echo "== ADD $POD1"; R1=$(cni ADD "$POD1"); echo "$R1"
echo "== ADD $POD2"; R2=$(cni ADD "$POD2"); echo "$R2"
IP1=$(echo "$R1" | jq -r '.ips[0].address | split("/")[0]')
IP2=$(echo "$R2" | jq -r '.ips[0].address | split("/")[0]')
GW=$(echo "$R1" | jq -r '.ips[0].gateway')

echo "== host namespace: cni0 and the veth host ends"
ip -n "$HOST" -br addr show
echo "== $POD1: eth0 and routes"
ip -n "$POD1" -br addr show eth0; ip -n "$POD1" route
echo "== stored delegate config ($W/flannel/$POD1)"; cat "$W/flannel/$POD1"; echo
echo "== host-local reservations"; ls "$W/networks/cbr0"

echo "== ping $POD1 ($IP1) -> $POD2 ($IP2)"
ip netns exec "$POD1" ping -c 2 -W 1 "$IP2"
echo "== ping $POD2 -> gateway $GW"
ip netns exec "$POD2" ping -c 2 -W 1 "$GW"

for pod in "$POD1" "$POD2"; do
  echo "== DEL $pod"; cni DEL "$pod"; cni DEL "$pod"  # the second DEL must succeed too
done
echo "== after DEL: reservations left:"; ls "$W/networks/cbr0"; echo "   flannel files left:"; ls "$W/flannel"
echo "== demo finished: everything it created is removed on exit"
