#!/usr/bin/env bash
# Installs build dependencies, builds the release binaries and installs flannel, bridge and host-local.
#
#   scripts/install.sh [--dest DIR] [--conf] [--conf-dir DIR]
#
#   --dest DIR      where the binaries go (default /opt/cni/bin, or $CNI_BIN_DIR)
#   --conf          also install conf/10-flannel.conflist (never overwrites an existing file)
#   --conf-dir DIR  where the conflist goes (default /etc/cni/net.d, or $CNI_CONF_DIR)
#
# Only our three binaries are replaced (atomically: copy to a temp name, then rename);
# other plugins in the destination are left alone.
set -euo pipefail
. "$(dirname "$0")/common.sh"

DEST=${CNI_BIN_DIR:-/opt/cni/bin}
CONF_DIR=${CNI_CONF_DIR:-/etc/cni/net.d}
WITH_CONF=0
while [ $# -gt 0 ]; do
  case "$1" in
    --dest) DEST=$2; shift 2 ;;
    --conf) WITH_CONF=1; shift ;;
    --conf-dir) CONF_DIR=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

ensure_packages "${BUILD_PACKAGES[@]}"
BIN=$(build_release)
mkdir -p "$DEST"
for p in flannel bridge host-local; do
  install -m 0755 "$BIN/$p" "$DEST/.$p.new"
  mv -f "$DEST/.$p.new" "$DEST/$p"
  echo "installed $DEST/$p"
done
if [ "$WITH_CONF" = 1 ]; then
  mkdir -p "$CONF_DIR"
  if [ -e "$CONF_DIR/10-flannel.conflist" ]; then
    echo "kept existing $CONF_DIR/10-flannel.conflist"
  else
    install -m 0644 "$ROOT/conf/10-flannel.conflist" "$CONF_DIR/10-flannel.conflist"
    echo "installed $CONF_DIR/10-flannel.conflist"
  fi
fi
