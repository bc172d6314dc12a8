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
# Prints the binary directory.
build_release() {
  local libdir="$RELEASE_SCRATCH/static-libs"
  mkdir -p "$libdir"
  ln -sf "$(g++ -print-file-name=libstdc++.a)" "$libdir/libstdc++.a"
  (cd "$ROOT" && swift build -c release --scratch-path "$RELEASE_SCRATCH" --static-swift-stdlib \
      --disable-local-rpath -debug-info-format none -Xlinker -s -Xlinker -L"$libdir" -Xlinker -lgcc_eh \
      -Xswiftc -Xclang-linker -Xswiftc -no-pie >&2) || return 1
  echo "$RELEASE_SCRATCH/release"
}
