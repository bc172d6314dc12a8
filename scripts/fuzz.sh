#!/usr/bin/env bash
# Fuzzes the parsers that read outside bytes (docs/DEVELOPING.md, "Fuzzing"): builds Sources/cni-fuzz with libFuzzer and
# AddressSanitizer, then runs every target (or the ones named) for N seconds each, starting from the checked-in
# seed corpus Tests/Fuzz/Corpus/<target>. Fails on any crash, property violation, leak, timeout (hang) or
# out-of-memory, printing the reproducer's path.
#
#   scripts/fuzz.sh                    # every target, 5 s each (what scripts/test.sh runs, with fewer seconds)
#   scripts/fuzz.sh --seconds 600 json # a long run of one target
#   scripts/fuzz.sh --list             # the target names
#
# Inputs found while fuzzing go to .build-fuzz/corpus/<target> (kept between runs, never in git); crash
# reproducers to .build-fuzz/artifacts/<target>/. Replay one: CNI_FUZZ_TARGET=<target> .build-fuzz/release/cni-fuzz
# <file>. A real crash becomes a regression test: the minimized input under Tests/Fuzz/Regressions/<target>/, a
# unit test in the parser's test target, and the fix.
set -euo pipefail
. "$(dirname "$0")/common.sh"

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
seconds=5 list=0 targets=()
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) [ $# -ge 2 ] || { usage >&2; exit 2; }; seconds=$2; shift 2 ;;
    --seconds=*) seconds=${1#--seconds=}; shift ;;
    --list) list=1; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "--seconds needs a positive integer" >&2; exit 2; }

corpus=$ROOT/Tests/Fuzz/Corpus
if [ ${#targets[@]} -eq 0 ]; then
  for dir in "$corpus"/*/; do targets+=("$(basename "$dir")"); done
fi
if [ "$list" = 1 ]; then printf '%s\n' "${targets[@]}"; exit 0; fi
for t in "${targets[@]}"; do
  [ -d "$corpus/$t" ] || { echo "unknown target $t (targets: $(ls "$corpus" | tr '\n' ' '))" >&2; exit 2; }
done

ensure_packages "${BUILD_PACKAGES[@]}"
scratch=$ROOT/.build-fuzz
# Optimized (libFuzzer runs ~4x more inputs than in debug), -enable-testing for the netlink parser's internals,
# FUZZING selects libFuzzer's entry point in Sources/cni-fuzz/Entry.swift. lld: gold warns about ASan's symbols.
(cd "$ROOT" && swift build -c release --scratch-path "$scratch" --product cni-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -enable-testing \
    -Xswiftc -warnings-as-errors -Xswiftc -use-ld=lld 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\]' || true; } >&2) || exit 1
binary=$scratch/release/cni-fuzz
# The Swift runtime's crash handler would race ASan's report of a failed property (abort).
export SWIFT_BACKTRACE=enable=no

logs=$(mktemp -d /tmp/cni-fuzz.XXXXXX)
child=
cleanup() {
  [ -n "$child" ] && kill "$child" 2>/dev/null || true
  rm -rf "$logs"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failed=()
for t in "${targets[@]}"; do
  found=$scratch/corpus/$t artifacts=$scratch/artifacts/$t seeds=("$corpus/$t")
  [ -d "$ROOT/Tests/Fuzz/Regressions/$t" ] && seeds+=("$ROOT/Tests/Fuzz/Regressions/$t")
  mkdir -p "$found" "$artifacts"
  # New inputs go to the first directory (the scratch one); seeds and regression inputs are only read.
  # -timeout: an input taking 2 s is a hang; the outer timeout bounds a stuck process.
  CNI_FUZZ_TARGET=$t timeout --kill-after=10 $((seconds + 120)) "$binary" \
      -max_total_time="$seconds" -max_len=8192 -timeout=2 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "$found" "${seeds[@]}" >"$logs/$t.log" 2>&1 &
  child=$!
  status=0
  wait "$child" || status=$?
  child=
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$logs/$t.log" | tail -1 || true)
  rate=$(sed -n 's/^stat::average_exec_per_sec:[[:space:]]*//p' "$logs/$t.log")
  if [ "$status" -ne 0 ]; then
    failed+=("$t")
    echo "FAIL $t (exit $status)" >&2
    grep -vE '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|INITED)' "$logs/$t.log" | tail -40 >&2
    grep -h 'Test unit written to' "$logs/$t.log" | sed "s|^.*written to|reproducer:|" >&2 || true
  else
    echo "ok   $t: ${done_line#*DONE} (${rate:-?} exec/s)"
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing failed: ${failed[*]}" >&2
  exit 1
fi
