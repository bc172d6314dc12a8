# Shared by the scripts: dependency installation and the release build.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RELEASE_SCRATCH=${RELEASE_SCRATCH:-$ROOT/.build-release}

# apt-get install only what is missing (CI and fresh machines start without them).
ensure_packages() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]} (run as root to install them)" >&2
    return 1
  fi
  echo "installing: ${missing[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

BUILD_PACKAGES=(libmnl-dev libjansson-dev pkg-config)
RUNTIME_PACKAGES=(iproute2 iptables nftables iputils-ping)

# Release build: static Swift stdlib, jansson static, libstdc++/libgcc static (a folder holding only
# libstdc++.a makes the linker pick the archive), non-PIE, no debug info. ldd then shows libmnl.so.0
# plus libc-level libraries, and no RUNPATH (the loader must not search /opt/cni/bin for libraries).
# Linked by the toolchain's lld with scripts/generated/link-order.txt (LINK_ORDER overrides): the functions that plugin
# calls execute are laid out together, so a call faults in far fewer pages (scripts/gen-link-order.sh).
# The same folder holds a libm.so linker script that makes libm as-needed: the dynamic bridge defines the libm
# names the Swift stdlib references and binds them on first use (Sources/CLazyLibm), so it does not load libm.so.6
# at every start. -z now (with lld's default relro) makes bridge's GOT read-only once loaded; a bridge ADD takes
# the same time either way (A/B, 150 calls each). KEEP_SYMBOLS=1 keeps the symbol table (for profiling).
# -no-pie is in Package.swift, on the bridge only (the static executables are never PIE).
# RELEASE_VERSION=V stamps V into the plugins' about line: a strong swift_cni_plugins_version() in an object of its
# own (named after V, so a new version relinks and recompiles nothing) overrides Sources/CVersion's weak "dev".
# Prints the binary directory.
build_release() {
  local libdir="$RELEASE_SCRATCH/static-libs" order=${LINK_ORDER:-$ROOT/scripts/generated/link-order.txt} strip=(-Xlinker -s)
  local stamp=()
  [ "${KEEP_SYMBOLS:-0}" = 1 ] && strip=()
  mkdir -p "$libdir"
  ln -sf "$(g++ -print-file-name=libstdc++.a)" "$libdir/libstdc++.a"
  echo "INPUT(AS_NEEDED($(gcc -print-file-name=libm.so.6)))" > "$libdir/libm.so"
  if [ -n "${RELEASE_VERSION:-}" ]; then
    if ! [[ $RELEASE_VERSION =~ ^[0-9A-Za-z][0-9A-Za-z.+~-]*$ ]]; then
      echo "RELEASE_VERSION '$RELEASE_VERSION': letters, digits and . + ~ - only" >&2
      return 1
    fi
    mkdir -p "$RELEASE_SCRATCH/version"
    local object="$RELEASE_SCRATCH/version/$RELEASE_VERSION.o"
    printf 'const char *swift_cni_plugins_version(void) { return "%s"; }\n' "$RELEASE_VERSION" |
      gcc -x c -O2 -fPIC -c -o "$object" - || return 1
    stamp=(-Xlinker "$object")
  fi
  # setarch -R: the compiler runs without address-space randomisation. swiftc's optimiser orders some work by
  # pointer values, so with ASLR two compiles of one file can allocate registers differently (seen in bridge);
  # without it the output is a function of the input (docs/DEVELOPING.md, "Release builds").
  (cd "$ROOT" && setarch "$(uname -m)" -R swift build -c release --scratch-path "$RELEASE_SCRATCH" \
      --static-swift-stdlib --disable-local-rpath -debug-info-format none "${strip[@]}" -Xlinker -L"$libdir" -Xlinker -lgcc_eh \
      -Xswiftc -use-ld=lld "${stamp[@]}" \
      -Xlinker --symbol-ordering-file="$order" -Xlinker --no-warn-symbol-ordering -Xlinker --no-export-dynamic \
      -Xlinker -z -Xlinker now >&2) || return 1
  echo "$RELEASE_SCRATCH/release"
}

# plugin_bin [DIR]: prints the absolute directory of our three plugins: DIR, or the release build (build_release)
# when DIR is empty. Fails, naming the file, when flannel, bridge or host-local is not executable there.
plugin_bin() {
  local dir=${1:-} p
  if [ -z "$dir" ]; then
    echo "== release build into $RELEASE_SCRATCH" >&2
    ensure_packages "${BUILD_PACKAGES[@]}" >&2 || return 1
    dir=$(build_release) || return 1
  fi
  dir=$(cd "$dir" && pwd) || return 1
  for p in flannel bridge host-local; do [ -x "$dir/$p" ] || { echo "$dir/$p is missing" >&2; return 1; }; done
  printf '%s\n' "$dir"
}

# Throw-away network namespaces and the script's cleanup. `netns_new VAR PREFIX` creates the namespace
# PREFIX-<pid of the script> (lo up), records it and sets VAR to its name (a variable, not $(...): the record
# must stay in this shell). `netns_cleanup` deletes exactly the recorded namespaces, newest first, and never any
# other. `cleanup_on_exit [FUNCTION]` runs FUNCTION (the script's own cleanup: processes, temp dirs), then
# netns_cleanup, once, on EXIT, INT and TERM. `supervise CMD...` runs a long command (a test driver) and returns
# its status; bash runs no trap while a foreground command runs, so it runs CMD in the background and waits: a
# signal to the script then cleans up at once, and the cleanup stops CMD (TERM, then waits) before anything else.
NETNS_CREATED=()
netns_new() {
  local name="$2-$$"
  ip netns add "$name" || return 1
  NETNS_CREATED+=("$name")
  ip -n "$name" link set lo up || return 1
  printf -v "$1" '%s' "$name"
}
netns_cleanup() {
  [ "$BASHPID" = "$$" ] || return 0   # a trap run in a subshell forked as a signal arrived: not ours to undo
  local i
  for ((i = ${#NETNS_CREATED[@]} - 1; i >= 0; i--)); do ip netns del "${NETNS_CREATED[i]}" 2>/dev/null || true; done
  NETNS_CREATED=()
}
cleanup_on_exit() {
  CLEANUP_FUNCTION=${1:-}
  trap _run_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
SUPERVISED=
supervise() {
  local rc=0
  "$@" &
  SUPERVISED=$!
  wait "$SUPERVISED" || rc=$?
  SUPERVISED=
  return "$rc"
}
_run_cleanup() {
  [ "$BASHPID" = "$$" ] || return 0
  set +e   # runs as the EXIT trap: nothing here may stop it half-way
  trap - EXIT INT TERM
  if [ -n "$SUPERVISED" ]; then kill -TERM "$SUPERVISED" 2>/dev/null; wait "$SUPERVISED" 2>/dev/null; fi
  [ -z "${CLEANUP_FUNCTION:-}" ] || "$CLEANUP_FUNCTION"
  netns_cleanup
}
