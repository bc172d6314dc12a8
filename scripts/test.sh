#!/usr/bin/env bash
# Installs what the tests need and runs the whole suite (unit + namespace integration tests).
# Integration tests need root; with CI=true they fail instead of being skipped when they cannot run.
set -euo pipefail
. "$(dirname "$0")/common.sh"

# containernetworking-plugins: the Go reference plugins (/usr/lib/cni) for the interop tests.
ensure_packages "${BUILD_PACKAGES[@]}" "${RUNTIME_PACKAGES[@]}" containernetworking-plugins

cd "$ROOT"
# Lint: C stays in Interop/ files (STYLE.md §3).
leaks=$(grep -rlE 'import (CMnl|CJansson)' Sources | grep -v '/Interop/' || true)
if [ -n "$leaks" ]; then echo "C imports outside Interop/: $leaks" >&2; exit 1; fi
# Lint: the tree is formatted with the checked-in .swift-format (`swift format` ships with the toolchain).
# Fix with: swift format format -i -r --parallel Sources Tests Package.swift
swift format lint --strict --parallel -r Sources Tests Package.swift
# Warnings are errors. The tests only use namespaces they create: nothing here changes the
# machine's own network.
swift build --build-tests -Xswiftc -warnings-as-errors
swift test --skip-build "$@"

# Release binaries (unstamped), built once for the script-level tests below.
REL_BIN=$(build_release)

# --- testbed (scripts/testbed.sh): pods across 2 flannel nodes in namespaces, vxlan and host-gw -----------
# Fails (never skips) when it cannot run: needs root and the tools it installs. About 10 s each.
for backend in vxlan host-gw; do
  scripts/testbed.sh --backend "$backend" --nodes 2 --pods 2 --bin "$REL_BIN" --timeout 180
done
# --- end testbed ----------------------------------------------------------------------------------------------

# containerd e2e: our chain under containerd 1.6 through CRI (kubelet's path), one node and two VXLAN nodes (~1 min).
timeout -k 30 600 scripts/e2e-containerd.sh --bin "$REL_BIN"

# Start-up rule (docs/DEVELOPING.md, "Start-up code"): no Swift runtime conformance search on any plugin command's
# common path. Its own unstripped release build (.build-profile), then ~10 s of callgrind and gdb; fails, never skips.
timeout -k 30 900 scripts/profile-startup.sh

# Fuzzing: every parser target for a few seconds from the seed corpus (scripts/fuzz.sh; long runs by hand with
# --seconds N). FUZZ_SECONDS=0 skips it.
if [ "${FUZZ_SECONDS:-4}" != 0 ]; then scripts/fuzz.sh --seconds "${FUZZ_SECONDS:-4}"; fi

# Release artefacts (scripts/release.sh: tarball, deb, install image, kube-flannel manifest), built and checked:
# ELF needs and glibc floor, checksums, lintian, dpkg --root, the image under podman (~30 s once built).
# Last: it relinks the release build with a version stamp.
scripts/test-release.sh
