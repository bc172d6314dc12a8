#!/usr/bin/env bash
# Builds the release artefacts (scripts/release.sh, into a temp dir) and checks each one; run by scripts/test.sh.
# About two minutes: a minute when the release build is current (a new version stamp relinks the four
# binaries), and a second build from nothing for the reproducibility check.
#
#   scripts/test-release.sh        (as root: podman runs the install image)
#
# - binaries: flannel and host-local fully static (no PT_INTERP, no dynamic section); bridge NEEDED exactly
#   libmnl.so.0, libc.so.6 and ld-linux-x86-64.so.2 (glibc's __tls_get_addr), no RPATH/RUNPATH, no GLIBC_ symbol
#   version above release.sh's GLIBC_FLOOR (the floor README states), libmnl no newer than LIBMNL_1.2;
#   each about line carries the version; the static unwinder with our _dl_find_object catches a C++ exception
#   thrown through libc.
# - tarball: checksums verify, the three plugins + LICENSE + README.md at the top level.
# - deb: control fields, Depends equal to what dpkg-shlibdeps derives from the binaries, lintian clean apart from
#   the tags explained below, installed into a throw-away root with dpkg --root, no path owned by another package.
# - image: loaded into a private podman store, run with a temp dir at /opt/cni/bin: all three plugins land there
#   by rename (a replaced file gets a new inode, a killed install's leftover is removed, other plugins stay) and
#   run; --flannel-only installs flannel alone; upstream kube-flannel's `cp -f /flannel /opt/cni/bin/flannel`
#   works; the image holds nothing but the plugins, the installer and LICENSE.
# - conf/kube-flannel.yml and the release's copy: valid YAML with upstream's objects, our image in the
#   install-cni-plugin init container, the shipped conflist in the ConfigMap.
# - reproducible: a second build from an empty scratch directory gives byte-identical artefacts (REPRODUCIBILITY=0
#   skips this minute of compiling).
# Fails when something it needs cannot run (not root: skipped with a message, except under CI=true).
set -euo pipefail
. "$(dirname "$0")/common.sh"

if [ "$(id -u)" -ne 0 ]; then
  echo "test-release.sh runs podman and dpkg --root: run it as root" >&2
  [ "${CI:-}" = true ] && exit 1  # CI fails; elsewhere the check is skipped, loudly
  echo "SKIPPED: release artefact checks" >&2
  exit 0
fi
ensure_packages "${BUILD_PACKAGES[@]}" binutils dpkg-dev lintian python3 python3-yaml podman runc
PY=/usr/bin/python3

VERSION=0.0.0+test
TAG=0.0.0_test
IMAGE=localhost/swift-cni-plugins:$TAG   # in a private podman store
W=$(mktemp -d /tmp/swift-cni-test-release.XXXXXX)
PODMAN=(podman --root "$W/storage" --runroot "$W/run" --storage-driver vfs --cgroup-manager cgroupfs
        --events-backend file --runtime runc)
cleanup() {
  "${PODMAN[@]}" rmi -f "$IMAGE" >/dev/null 2>&1 || true
  rm -rf "$W"
}
trap cleanup EXIT INT TERM
# A private containers.conf: the machine's configuration is neither read nor changed (real-runtime.md §2).
cat > "$W/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
EOF
export CONTAINERS_CONF="$W/containers.conf"

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

cd "$ROOT"
FLOOR=$(sed -n 's/^GLIBC_FLOOR=\([0-9.]*\).*/\1/p' scripts/release.sh)
[ -n "$FLOOR" ] || fail "scripts/release.sh sets no GLIBC_FLOOR"
grep -q "glibc >= $FLOOR" README.md || fail "README.md does not state the glibc floor $FLOOR"

scripts/release.sh --version "$VERSION" --registry "localhost" --out "$W/dist" >/dev/null
D="$W/dist" TGZ="swift-cni-plugins-linux-amd64-$VERSION.tgz" DEB="swift-cni-plugins_${VERSION}_amd64.deb"
OCI="swift-cni-plugins-image-$VERSION.oci.tar" YML="kube-flannel-$VERSION.yml"
for f in "$TGZ" "$TGZ.sha256" "$TGZ.sha512" "$DEB" "$OCI" "$YML"; do [ -s "$D/$f" ] || fail "missing $f"; done
# Tarball.
(cd "$D" && sha256sum --quiet -c "$TGZ.sha256" && sha512sum --quiet -c "$TGZ.sha512") || fail "checksums"
grep -q "  $TGZ\$" "$D/$TGZ.sha256" || fail "sha256 file does not name $TGZ"
listing=$(tar -tzf "$D/$TGZ" | sort | tr '\n' ' ')
[ "$listing" = "./ ./LICENSE ./README.md ./bridge ./flannel ./host-local " ] || fail "tarball lists: $listing"
mkdir -p "$W/bin" && tar -xzf "$D/$TGZ" -C "$W/bin"
cmp -s "$W/bin/LICENSE" LICENSE || fail "tarball LICENSE"
ok "tarball: checksums verify; $listing"

# Binaries (as shipped).
B="$W/bin"
for p in flannel host-local; do
  [ -x "$B/$p" ] || fail "$p is not executable"
  ! readelf -lW "$B/$p" | grep -qE '^ +(INTERP|DYNAMIC) ' || fail "$p has a PT_INTERP or PT_DYNAMIC segment"
  readelf -dW "$B/$p" | grep -q 'There is no dynamic section' || fail "$p has a dynamic section"
done
needed=$(readelf -dW "$B/bridge" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
[ "$needed" = "ld-linux-x86-64.so.2 libc.so.6 libmnl.so.0 " ] || fail "bridge NEEDED: $needed"
! readelf -dW "$B/bridge" | grep -qE '\((RPATH|RUNPATH)\)' || fail "bridge has an RPATH/RUNPATH"
glibc_max=$(readelf -VW "$B/bridge" | sed -n 's/.*Name: GLIBC_\([0-9.]*\) .*/\1/p' | sort -V | tail -1)
[ -n "$glibc_max" ] || fail "no GLIBC_ version needed by bridge: readelf output not understood"
[ "$(printf '%s\n%s\n' "$glibc_max" "$FLOOR" | sort -V | tail -1)" = "$FLOOR" ] ||
  fail "bridge needs GLIBC_$glibc_max, above the documented floor $FLOOR: $(objdump -T "$B/bridge" |
    grep -F "GLIBC_$glibc_max" | awk '{print $NF}' | tr '\n' ' ')"
mnl_max=$(readelf -VW "$B/bridge" | sed -n 's/.*Name: LIBMNL_\([0-9.]*\) .*/\1/p' | sort -V | tail -1)
[ "$(printf '%s\n1.2\n' "$mnl_max" | sort -V | tail -1)" = 1.2 ] || fail "bridge needs LIBMNL_$mnl_max (> 1.2)"
for p in flannel bridge host-local; do
  about=$(env -u CNI_COMMAND "$B/$p" </dev/null 2>&1 >/dev/null | head -1)
  [ "$about" = "CNI $p plugin (swift-cni-plugins) v$VERSION" ] || fail "$p about line: $about"
  CNI_COMMAND=VERSION "$B/$p" </dev/null | grep -q '"supportedVersions"' || fail "$p VERSION"
done
# The unwinder the bridge links statically, with Sources/CDlFindObject as its only _dl_find_object: a C++ exception
# thrown in a qsort callback must unwind through libc's frames (the lookups of libc's and the program's unwind
# tables both go through our function) and be caught.
cat > "$W/unwind.cc" <<'EOF'
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
static int compare(const void *a, const void *b) {
    if (*(const int *)a == 3 || *(const int *)b == 3) throw std::runtime_error("through qsort");
    return *(const int *)a - *(const int *)b;
}
int main() {
    int values[] = {5, 3, 1, 4};
    try {
        qsort(values, 4, sizeof values[0], compare);
    } catch (const std::exception &e) {
        std::printf("caught %s\n", e.what());
        return 0;
    }
    return 1;
}
EOF
gcc -O2 -c -ISources/CDlFindObject/include Sources/CDlFindObject/dl_find_object.c -o "$W/dl_find_object.o"
g++ -O1 -no-pie -static-libgcc -static-libstdc++ "$W/unwind.cc" "$W/dl_find_object.o" -o "$W/unwind"
! objdump -T "$W/unwind" | grep -q _dl_find_object || fail "the unwind test imports glibc's _dl_find_object"
[ "$("$W/unwind")" = "caught through qsort" ] || fail "exception not caught through libc with our _dl_find_object"
ok "binaries: flannel, host-local static; bridge NEEDED $needed; max GLIBC_$glibc_max <= $FLOOR; about lines; unwind"

# Debian package.
info=$(dpkg-deb --field "$D/$DEB" Package Version Architecture Depends)
mkdir -p "$W/shl/debian" && printf 'Source: x\n\nPackage: x\nArchitecture: amd64\n' > "$W/shl/debian/control"
shlibs=$(cd "$W/shl" && dpkg-shlibdeps -O "$B/bridge" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
expected="Package: swift-cni-plugins
Version: $VERSION
Architecture: amd64
Depends: $shlibs"
[ "$info" = "$expected" ] || fail "deb control: $info (expected $expected)"
[ "$shlibs" = "libc6 (>= $FLOOR), libmnl0 (>= 1.0.4-1~)" ] || fail "dpkg-shlibdeps derives: $shlibs"
# Tags by design (docs/DEVELOPING.md "Release builds"): /opt/cni/bin is where runtimes look for CNI plugins (dir-or-file-in-opt);
# flannel and host-local are static to run on any distribution (statically-linked-binary); bridge is not PIE for
# start-up time (hardening-no-pie); the static Swift runtime and libc carry a .comment section and strings lintian
# takes for misspellings (binary-has-unneeded-section, spelling-error-in-binary, informational).
EXPLAINED='dir-or-file-in-opt|statically-linked-binary|hardening-no-pie'
EXPLAINED+='|binary-has-unneeded-section|spelling-error-in-binary'
tags=$(lintian --pedantic --info --tag-display-limit 0 "$D/$DEB" 2>&1 | grep -E '^[EWIPX]:' |
  grep -vE ": ($EXPLAINED) " || true)
[ -z "$tags" ] || fail "lintian: $tags"
R="$W/root"
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" && touch "$R/var/lib/dpkg/status"
dpkg --root="$R" --force-depends --force-script-chrootless -i "$D/$DEB" >/dev/null 2>&1 ||
  dpkg --root="$R" --force-depends -i "$D/$DEB" >/dev/null || fail "dpkg --root -i"
for p in flannel bridge host-local; do cmp -s "$R/opt/cni/bin/$p" "$B/$p" || fail "deb /opt/cni/bin/$p"; done
for f in copyright changelog.gz examples/10-flannel.conflist examples/kube-flannel.yml; do
  [ -s "$R/usr/share/doc/swift-cni-plugins/$f" ] || fail "deb lacks /usr/share/doc/swift-cni-plugins/$f"
done
grep -q '^License: Apache-2.0$' "$R/usr/share/doc/swift-cni-plugins/copyright" || fail "copyright license"
while read -r path; do
  ! dpkg -S "$path" >/dev/null 2>&1 || fail "$path is already owned by $(dpkg -S "$path" 2>/dev/null)"
done < <(dpkg-deb --fsys-tarfile "$D/$DEB" | tar -t | sed -n 's#^\./\(.*[^/]\)$#/\1#p')
ok "deb: $(tr '\n' ' ' <<<"$info"); lintian clean but for the explained tags; installs under --root"

# Install image.
"${PODMAN[@]}" load -i "$D/$OCI" >/dev/null || fail "podman load"
config=$("${PODMAN[@]}" image inspect --format '{{json .Config.Entrypoint}} {{json .Config.Cmd}}' "$IMAGE")
[ "$config" = '["/bin/cni-install"] null' ] || fail "image entrypoint/cmd: $config"
layer=$("$PY" - "$D/$OCI" <<'EOF'
import gzip, io, json, sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    read = lambda n: t.extractfile(n).read()
    manifest = json.loads(read("blobs/sha256/" + json.loads(read("index.json"))["manifests"][0]["digest"][7:]))
    layer = read("blobs/sha256/" + manifest["layers"][0]["digest"][7:])
with tarfile.open(fileobj=io.BytesIO(gzip.decompress(layer))) as l:
    print(" ".join(sorted(m.name for m in l.getmembers())))
EOF
)
[ "$layer" = "LICENSE bin bin/cni-install bin/cp bridge flannel host-local" ] || fail "image holds: $layer"
run() { "${PODMAN[@]}" run --rm --network none -v "$1:/opt/cni/bin" "${@:2}"; }

mkdir "$W/all" && run "$W/all" "$IMAGE" 2>/dev/null || fail "image default command"
for p in flannel bridge host-local; do
  cmp -s "$W/all/$p" "$B/$p" || fail "image installed a different $p"
  CNI_COMMAND=VERSION "$W/all/$p" </dev/null | grep -q '"supportedVersions"' || fail "installed $p does not run"
done
[ "$(ls -A "$W/all" | sort | tr '\n' ' ')" = "bridge flannel host-local " ] || fail "image left: $(ls -A "$W/all")"

mkdir "$W/flannel" && echo old > "$W/flannel/flannel" && echo keep > "$W/flannel/portmap"
echo partial > "$W/flannel/.flannel.tmp.Ab12Cd"
inode=$(stat -c %i "$W/flannel/flannel")
run "$W/flannel" "$IMAGE" --flannel-only 2>/dev/null || fail "image --flannel-only"
left=$(ls -A "$W/flannel" | sort | tr '\n' ' ')
[ "$left" = "flannel portmap " ] || fail "--flannel-only left: $left"
cmp -s "$W/flannel/flannel" "$B/flannel" || fail "--flannel-only flannel"
[ "$(stat -c %i "$W/flannel/flannel")" != "$inode" ] || fail "flannel was overwritten in place, not renamed"
[ "$(cat "$W/flannel/portmap")" = keep ] || fail "another plugin was touched"

mkdir "$W/upstream" && run "$W/upstream" --entrypoint cp "$IMAGE" -f /flannel /opt/cni/bin/flannel ||
  fail "upstream kube-flannel command (cp -f /flannel /opt/cni/bin/flannel)"
[ "$(ls -A "$W/upstream")" = flannel ] && cmp -s "$W/upstream/flannel" "$B/flannel" || fail "upstream cp result"
ok "image: $IMAGE installs all three / --flannel-only by rename; upstream cp command works; holds only: $layer"

# kube-flannel manifest.
"$PY" - conf/kube-flannel.yml "$D/$YML" conf/10-flannel.conflist "$IMAGE" <<'EOF'
import json, sys, yaml
conf, released, conflist, image = sys.argv[1:]
for path in (conf, released):
    docs = [d for d in yaml.safe_load_all(open(path)) if d is not None]
    kinds = [d["kind"] for d in docs]
    expected = ["Namespace", "ClusterRole", "ClusterRoleBinding", "ServiceAccount", "ConfigMap", "DaemonSet"]
    assert kinds == expected, kinds
    cm = next(d for d in docs if d["kind"] == "ConfigMap")
    assert json.loads(cm["data"]["cni-conf.json"]) == json.load(open(conflist)), "cni-conf.json is not the conflist"
    json.loads(cm["data"]["net-conf.json"])
    ds = next(d for d in docs if d["kind"] == "DaemonSet")
    spec = ds["spec"]["template"]["spec"]
    assert ds["spec"]["selector"]["matchLabels"].items() <= ds["spec"]["template"]["metadata"]["labels"].items()
    init = {c["name"]: c for c in spec["initContainers"]}
    plugin = init["install-cni-plugin"]
    assert plugin["image"].split("/")[-1].split(":")[0].startswith("swift-cni-plugins"), plugin["image"]
    assert "command" not in plugin and "args" not in plugin, "the image's default command installs"
    volumes = {v["name"]: v for v in spec["volumes"]}
    mount = next(m for m in plugin["volumeMounts"] if m["mountPath"] == "/opt/cni/bin")
    assert volumes[mount["name"]]["hostPath"]["path"] == "/opt/cni/bin"
    assert init["install-cni"]["args"][-1] == "/etc/cni/net.d/10-flannel.conflist"
    assert [c["name"] for c in spec["containers"]] == ["kube-flannel"]
    for c in spec["initContainers"] + spec["containers"]:
        for m in c.get("volumeMounts", []):
            assert m["name"] in volumes, m
    if path == released:
        assert plugin["image"] == image, plugin["image"]
EOF
ok "kube-flannel.yml: upstream objects, install-cni-plugin runs $IMAGE, ConfigMap holds conf/10-flannel.conflist"

# Reproducible: a second build of the same commit, compiled from nothing in another scratch directory, gives
# byte-identical artefacts (swiftc's per-compile module hash is zeroed by scripts/elf_reproducible.py, file
# times, owners and order are pinned). About a minute of compiling; REPRODUCIBILITY=0 skips it.
if [ "${REPRODUCIBILITY:-1}" != 0 ]; then
  RELEASE_SCRATCH="$W/scratch" scripts/release.sh --version "$VERSION" --registry "localhost" --out "$W/dist2" \
    >/dev/null 2>"$W/build2.log" || { tail -20 "$W/build2.log" >&2; fail "second release build"; }
  rm -rf "$W/scratch"
  for f in "$TGZ" "$TGZ.sha256" "$TGZ.sha512" "$DEB" "$OCI" "$YML"; do
    cmp -s "$D/$f" "$W/dist2/$f" || fail "not reproducible: $f differs between two builds of one commit"
  done
  ok "reproducible: a second build from an empty scratch directory gives byte-identical tarball, deb, image, manifest"
fi
