#!/bin/bash
# Profile (not a test): how much work each plugin command does in user space, and whether any of it is the Swift
# runtime searching protocol conformances. Guards the start-up diet of the plugins (docs/PERFORMANCE.md).
#
# Why: a plugin process lives for a few milliseconds, so what the Swift runtime does on first use of a type counts.
# The first use of a generic stdlib type with a protocol requirement (Set<String>, Result<T, any Error>,
# reversed(), a generic `some StringProtocol` body run unspecialized, ...) may make the runtime search every protocol
# conformance record in the binary (cost: docs/PERFORMANCE.md). The plugins' common paths are written to need none;
# this script shows any that come back, with the first frame of ours that caused it.
#
# How: unstripped release binaries (same flags as the release), each command run the way a runtime does in a
# throw-away host and pod namespace, once under callgrind (instructions of that process, children not included) and
# once under gdb with a breakpoint on the runtime's conformance lookup (each distinct type/protocol pair it is asked
# for is one search; the frame shown is the first non-stdlib Swift function on the stack).
#
# Exits non-zero when any command makes a search (or cannot be profiled): scripts/test.sh runs it.
#
# Usage: scripts/profile-startup.sh      (root; installs valgrind and gdb when missing)
set -euo pipefail
source "$(dirname "$0")/common.sh"
[ "$(id -u)" -eq 0 ] || { echo "run as root (it creates network namespaces)" >&2; exit 1; }
ensure_packages valgrind gdb "${BUILD_PACKAGES[@]}" "${RUNTIME_PACKAGES[@]}"

export RELEASE_SCRATCH=$ROOT/.build-profile
echo "== unstripped release build into $RELEASE_SCRATCH" >&2
BIN=$(KEEP_SYMBOLS=1 build_release)
WORK=$(mktemp -d /tmp/profile-startup.XXXXXX)
cleanup() { rm -rf "$WORK"; }
cleanup_on_exit cleanup
netns_new HOST pst-host; netns_new POD pst-pod
mkdir -p "$WORK/bin"
for p in flannel bridge host-local; do ln -s "$BIN/$p" "$WORK/bin/$p"; done
printf 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n' > "$WORK/subnet.env"

cat > "$WORK/gdb.cmds" <<'GDB'
set pagination off
set confirm off
set print thread-events off
break swift_conformsToProtocolMaybeInstantiateSuperclasses
commands
silent
printf "SEARCH "
info symbol $rdx
printf "TYPE "
info symbol $rsi
bt 40
printf "END\n"
continue
end
run
quit
GDB

# call PLUGIN COMMAND CONFIG WRAPPER...: one call, config on stdin, the CNI variables only.
call() {
  local plugin=$1 command=$2 config=$3; shift 3
  printf '%s' "$config" | ip netns exec "$HOST" env -i CNI_COMMAND="$command" CNI_CONTAINERID=profile \
    CNI_NETNS=/run/netns/$POD CNI_IFNAME=eth0 CNI_PATH="$WORK/bin" CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=web" \
    "$@" "$BIN/$plugin"
}

# profile LABEL PLUGIN COMMAND CONFIG [UNDO-COMMAND]: instructions, then searches (after undoing the first call).
profile() {
  local label=$1 plugin=$2 command=$3 config=$4 undo=${5:-}
  local refs
  refs=$(call "$plugin" "$command" "$config" valgrind --tool=callgrind --callgrind-out-file=/dev/null 2>&1 >/dev/null \
    | awk '/refs:/ {print $NF}')
  [ -n "$undo" ] && call "$plugin" "$undo" "$config" >/dev/null 2>&1
  call "$plugin" "$command" "$config" gdb -q -batch -x "$WORK/gdb.cmds" --args > "$WORK/gdb.out" 2>&1 || true
  [ -n "$undo" ] && call "$plugin" "$undo" "$config" >/dev/null 2>&1
  python3 - "$label" "$refs" "$WORK/gdb.out" <<'PY' || FAILED="$FAILED, $label"
import re, sys
label, refs, path = sys.argv[1], sys.argv[2], sys.argv[3]
seen, lines, current, frames = set(), [], None, []
text = open(path, errors="replace").read()
if not refs:
    sys.exit(f"{label}: callgrind counted nothing (the call failed?)")
if "Breakpoint 1 at" not in text:  # no such symbol: a count of 0 would mean nothing
    sys.exit(f"{label}: gdb could not set the breakpoint on the runtime's conformance lookup:\n{text[:2000]}")
for line in text.splitlines():
    line = line.rstrip("\n")
    if line.startswith("SEARCH "):
        current, frames = [line.split(" in section")[0][7:]], []
    elif line.startswith("TYPE ") and current:
        current.append(line.split(" in section")[0][5:])
    elif line.startswith("#") and current is not None:
        frames.append(line)
    elif line.startswith("END") and current:
        key = tuple(current)
        if key not in seen:
            seen.add(key)
            ours = next((m.group(1) for f in frames for m in [re.search(r" in (\$s\S+)", f)]
                         if m and not m.group(1).startswith(("$ss", "$sS"))), "?")
            lines.append(f"    protocol {key[0]} for {key[1] if len(key) > 1 else '?'}: from {ours[:110]}")
        current = None
print(f"{label:34} {refs:>12} instructions  {len(seen)} conformance searches")
print("\n".join(lines)) if lines else None
sys.exit(1 if seen else 0)
PY
}

IPAM="{\"type\":\"host-local\",\"dataDir\":\"$WORK/ipam\",\"ranges\":[[{\"subnet\":\"10.77.0.0/24\"}]],\"routes\":[{\"dst\":\"10.0.0.0/8\"}]}"
HOSTLOCAL="{\"cniVersion\":\"0.3.1\",\"name\":\"pst\",\"type\":\"host-local\",\"ipam\":$IPAM}"
BRIDGE="{\"cniVersion\":\"0.3.1\",\"name\":\"pst\",\"type\":\"bridge\",\"bridge\":\"cni0\",\"isGateway\":true,\"isDefaultGateway\":true,\"hairpinMode\":true,\"mtu\":1450,\"ipam\":$IPAM}"
FLANNEL="{\"cniVersion\":\"0.3.1\",\"name\":\"cbr0\",\"type\":\"flannel\",\"subnetFile\":\"$WORK/subnet.env\",\"dataDir\":\"$WORK/flannel\",\"ipam\":{\"dataDir\":\"$WORK/ipam\"},\"delegate\":{\"bridge\":\"cni1\",\"hairpinMode\":true,\"isDefaultGateway\":true}}"

FAILED=""  # labels of the commands with a search, or that could not be profiled
echo "== instructions of the plugin's own process (callgrind) and the runtime's conformance searches (gdb)"
profile "host-local VERSION" host-local VERSION "$HOSTLOCAL"
call host-local ADD "$HOSTLOCAL" >/dev/null  # the network's directory exists from here on, as on a node with pods
call host-local DEL "$HOSTLOCAL" >/dev/null
profile "host-local ADD" host-local ADD "$HOSTLOCAL" DEL
profile "host-local DEL" host-local DEL "$HOSTLOCAL"
call bridge ADD "$BRIDGE" >/dev/null  # cni0 exists from here on, as on a node with pods
call bridge DEL "$BRIDGE" >/dev/null
profile "bridge ADD (bridge exists)" bridge ADD "$BRIDGE" DEL
call bridge ADD "$BRIDGE" >/dev/null
profile "bridge DEL" bridge DEL "$BRIDGE"
profile "flannel ADD (chain)" flannel ADD "$FLANNEL" DEL
call flannel ADD "$FLANNEL" >/dev/null 2>&1
profile "flannel DEL (chain)" flannel DEL "$FLANNEL"
if [ -n "$FAILED" ]; then
  echo "FAIL: conformance searches in (or no profile of): ${FAILED#, } (docs/DEVELOPING.md, \"Start-up code\")" >&2
  exit 1
fi
