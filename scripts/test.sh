#!/usr/bin/env bash
# Installs what the tests need and runs the whole suite (unit + namespace integration tests).
# Integration tests need root; with CI=true they fail instead of being skipped when they cannot run.
set -euo pipefail
. "$(dirname "$0")/common.sh"

# containernetworking-plugins: the Go reference plugins (/usr/lib/cni) for the interop tests.
ensure_packages "${BUILD_PACKAGES[@]}" "${RUNTIME_PACKAGES[@]}" containernetworking-plugins

cd "$ROOT"
# Some kernels in containers lack the nf_tables/ip_tables modules loaded; the tests only use
# namespaces they create, so nothing here changes the host's own network.
swift build --build-tests
swift test --skip-build "$@"
