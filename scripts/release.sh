#!/usr/bin/env bash
# Builds the release artefacts an operator deploys without a Swift toolchain (README "Install"):
#
#   scripts/release.sh [--version V] [--registry PREFIX] [--out DIR]
#
#   --version V         release version (default: `git describe --tags --dirty`, a leading v dropped, a suffix
#                       -N-gHASH turned into +N.gHASH so that V is a valid Debian version; 0.0.0+gHASH untagged)
#   --registry PREFIX   registry prefix of the image name (default localhost: import the archive on each node)
#   --out DIR           where the artefacts go (default dist/, git-ignored)
#
# Writes, for amd64:
#   swift-cni-plugins-linux-amd64-V.tgz (+ .sha256, .sha512)   the plugins at the top level, LICENSE, README.md
#   swift-cni-plugins_V_amd64.deb                               /opt/cni/bin, examples under /usr/share/doc
#   swift-cni-plugins-image-V.oci.tar                           PREFIX/swift-cni-plugins:V, installer image
#                                                               (in the tag, + and ~ of V become _)
#   kube-flannel-V.yml                                          conf/kube-flannel.yml naming that image
# V is stamped into each plugin's about line (run one without CNI_COMMAND). Reproducible: two builds of one commit
# give byte-identical artefacts; file times are the commit's time (SOURCE_DATE_EPOCH overrides).
# scripts/test-release.sh checks every artefact.
set -euo pipefail
. "$(dirname "$0")/common.sh"

# What the binaries need on a node; scripts/test-release.sh fails when the binaries need more.
GLIBC_FLOOR=2.34            # bridge: __libc_start_main, dl*, pthread_* @GLIBC_2.34 (Sources/CDlFindObject)
LIBMNL_DEPENDS="libmnl0 (>= 1.0.4-1~)"   # bridge: mnl_socket_open2@LIBMNL_1.2 (libmnl 1.0.4)
PLUGINS=(flannel bridge host-local)
ARCH=amd64

VERSION="" REGISTRY=localhost OUT="$ROOT/dist"
while [ $# -gt 0 ]; do
  case "$1" in
    --version) VERSION=${2#v}; shift 2 ;;
    --registry) REGISTRY=${2%/}; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

cd "$ROOT"
if [ -z "$VERSION" ]; then
  if described=$(git describe --tags --dirty 2>/dev/null); then
    VERSION=$(sed -E 's/^v//; s/-([0-9]+)-g([0-9a-f]+)/+\1.g\2/; s/-dirty$/+dirty/; s/\+([^+]*)\+dirty$/+\1.dirty/' \
      <<<"$described")
  else  # no tag yet: 0.0.0+g<hash>
    VERSION="0.0.0+g$(git describe --always --dirty | sed 's/-dirty$/.dirty/')"
  fi
fi
if ! [[ $VERSION =~ ^[0-9][0-9A-Za-z.+~]*$ ]]; then
  echo "version '$VERSION': must start with a digit and hold only letters, digits, . + ~ (a Debian version)" >&2
  exit 2
fi
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
# An image tag allows letters, digits, _ . - only: + and ~ become _ (as Helm does for OCI tags).
IMAGE="$REGISTRY/swift-cni-plugins:${VERSION//[+~]/_}"
MAINTAINER=${DEB_MAINTAINER:-$(git log -1 --format='%an <%ae>')}

ensure_packages "${BUILD_PACKAGES[@]}" python3
BIN=$(RELEASE_VERSION=$VERSION build_release)

STAGE=$(mktemp -d /tmp/swift-cni-release.XXXXXX)
cleanup() { rm -rf "$STAGE"; }
trap cleanup EXIT INT TERM
# Every artefact takes its binaries from one copy, with swiftc's per-compile module hash zeroed and the build ID
# derived from the content (scripts/elf_reproducible.py): the build tree stays as SwiftPM made it.
mkdir -p "$STAGE/bin"
for p in "${PLUGINS[@]}" cni-install; do install -m 0755 "$BIN/$p" "$STAGE/bin/$p"; done
python3 "$ROOT/scripts/elf_reproducible.py" "$STAGE/bin"/*
BIN=$STAGE/bin
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# Reproducible tar of a staged directory: sorted, root-owned, the commit's time, gzip without a name or time.
reproducible_tgz() {
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" -C "$1" -c . | gzip -9n
}

# 1. Tarball: as upstream's cni-plugins-linux-<arch>-<version>.tgz, so `tar -xzf` into /opt/cni/bin installs.
TGZ="swift-cni-plugins-linux-$ARCH-$VERSION.tgz"
mkdir -p "$STAGE/tgz"
for p in "${PLUGINS[@]}"; do install -m 0755 "$BIN/$p" "$STAGE/tgz/$p"; done
install -m 0644 LICENSE README.md "$STAGE/tgz/"
reproducible_tgz "$STAGE/tgz" > "$OUT/$TGZ.tmp" && mv "$OUT/$TGZ.tmp" "$OUT/$TGZ"
(cd "$OUT" && sha256sum "$TGZ" > "$TGZ.sha256" && sha512sum "$TGZ" > "$TGZ.sha512")
echo "$OUT/$TGZ"

# 2. Debian package: binaries in /opt/cni/bin (Debian's containernetworking-plugins uses /usr/lib/cni: no clash).
DEB="swift-cni-plugins_${VERSION}_$ARCH.deb"
D="$STAGE/deb" DOC="$STAGE/deb/usr/share/doc/swift-cni-plugins"
mkdir -p "$D/DEBIAN" "$D/opt/cni/bin" "$DOC/examples"
for p in "${PLUGINS[@]}"; do install -m 0755 "$BIN/$p" "$D/opt/cni/bin/$p"; done
install -m 0644 conf/10-flannel.conflist conf/10-flannel-dualstack.conflist conf/kube-flannel.yml "$DOC/examples/"
gzip -9n < README.md > "$DOC/README.md.gz"
YEARS=$(git log --reverse --format=%ad --date=format:%Y | sed -n '1p;$p' | uniq | paste -sd-)
cat > "$DOC/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: swift-cni-plugins
Comment: The binaries also contain, statically linked: the Swift runtime and standard library (Apache-2.0 with
 Runtime Library Exception), jansson (MIT), libstdc++ and libgcc (GPL-3 with GCC Runtime Library Exception), and,
 in flannel and host-local, the GNU C Library (LGPL-2.1+). bridge uses the system's libmnl (LGPL-2.1+) and libc.

Files: *
Copyright: $YEARS The swift-cni-plugins authors
License: Apache-2.0

License: Apache-2.0
 Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file except in compliance
 with the License. You may obtain a copy of the License at
 .
 http://www.apache.org/licenses/LICENSE-2.0
 .
 Unless required by applicable law or agreed to in writing, software distributed under the License is distributed
 on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the License for
 the specific language governing permissions and limitations under the License.
 .
 On Debian systems, the complete text of the Apache License, Version 2.0 can be found in
 /usr/share/common-licenses/Apache-2.0.
EOF
# A native package (no Debian revision) carries its changelog as changelog.gz.
{
  printf 'swift-cni-plugins (%s) unstable; urgency=medium\n\n' "$VERSION"
  printf '  * Release %s, built from git %s.\n\n' "$VERSION" "$(git describe --tags --always --dirty)"
  printf ' -- %s  %s\n' "$MAINTAINER" "$(LC_ALL=C date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n > "$DOC/changelog.gz"
cat > "$D/DEBIAN/control" <<EOF
Package: swift-cni-plugins
Version: $VERSION
Architecture: $ARCH
Maintainer: $MAINTAINER
Installed-Size: $(du -sk --exclude=DEBIAN "$D" | cut -f1)
Depends: libc6 (>= $GLIBC_FLOOR), $LIBMNL_DEPENDS
Section: net
Priority: optional
Description: CNI plugins flannel, bridge and host-local, written in Swift
 Drop-in replacements for the CNI plugins a Kubernetes node running flannel
 executes for every pod: the flannel meta-plugin, the bridge plugin and the
 host-local IPAM plugin. Same binary names, configuration keys and on-disk
 formats as the Go plugins, so a node can mix them.
 .
 The plugins are installed into /opt/cni/bin, where kubelet's container
 runtimes look for them; Debian's containernetworking-plugins (/usr/lib/cni)
 is not touched. An example kube-flannel conflist and manifest are in
 /usr/share/doc/swift-cni-plugins/examples.
EOF
(cd "$D" && find opt usr -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum > DEBIAN/md5sums)
find "$D" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
dpkg-deb --root-owner-group -Zxz --build "$D" "$OUT/$DEB.tmp" >/dev/null && mv "$OUT/$DEB.tmp" "$OUT/$DEB"
echo "$OUT/$DEB"

# 3. Install image: the plugins at the root (kube-flannel's upstream init container runs `cp -f /flannel
# /opt/cni/bin/flannel`), the static installer as /bin/cni-install and /bin/cp, the license. Nothing else: no
# shell, no libc, no distribution userland.
OCI="swift-cni-plugins-image-$VERSION.oci.tar"
R="$STAGE/rootfs"
mkdir -p "$R/bin"
for p in "${PLUGINS[@]}"; do install -m 0755 "$BIN/$p" "$R/$p"; done
install -m 0755 "$BIN/cni-install" "$R/bin/cni-install"
ln -s cni-install "$R/bin/cp"
install -m 0644 LICENSE "$R/LICENSE"
python3 scripts/oci-image.py --rootfs "$R" --name "$IMAGE" --output "$OUT/$OCI" \
  --entrypoint '["/bin/cni-install"]' --env PATH=/bin \
  --label org.opencontainers.image.title=swift-cni-plugins --label "org.opencontainers.image.version=$VERSION" \
  --label org.opencontainers.image.licenses=Apache-2.0 >/dev/null
echo "$OUT/$OCI"

# 4. kube-flannel manifest naming this image.
YML="kube-flannel-$VERSION.yml"
sed -E "s#^( +image: ).*/swift-cni-plugins:.*#\\1$IMAGE#" conf/kube-flannel.yml > "$OUT/$YML"
grep -q "image: $IMAGE\$" "$OUT/$YML" || { echo "conf/kube-flannel.yml names no swift-cni-plugins image" >&2; exit 1; }
echo "$OUT/$YML"
