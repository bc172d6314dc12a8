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
# Warnings are errors. The tests only use namespaces they create: nothing here changes the
# machine's own network.
swift build --build-tests -Xswiftc -warnings-as-errors
swift test --skip-build "$@"
# Release artefacts (scripts/release.sh: tarball, deb, install image, kube-flannel manifest), built and checked:
# ELF needs and glibc floor, checksums, lintian, dpkg --root, the image under podman (~30 s once built).
scripts/test-release.sh
