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
REL_BIN=$(build_release)
swift test --skip-build "$@"
# containerd e2e: our chain under containerd 1.6 through CRI (kubelet's path), one node and two VXLAN nodes (~1 min).
timeout -k 30 600 scripts/e2e-containerd.sh --bin "$REL_BIN"
