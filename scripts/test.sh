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
# Fuzzing: every parser target for a few seconds from the seed corpus (scripts/fuzz.sh; long runs by hand with
# --seconds N). FUZZ_SECONDS=0 skips it.
if [ "${FUZZ_SECONDS:-4}" != 0 ]; then scripts/fuzz.sh --seconds "${FUZZ_SECONDS:-4}"; fi
