#!/usr/bin/env python3
"""Helper of scripts/gen-link-order.sh (see there for why).

link-order.py touched BIN_DIR STATE LOG...   add the symbols that lackey logs show touched to STATE
link-order.py write BIN_DIR STATE SWIFT_STATIC_DIR   print the ordering file for lld

A lackey log starts with `==pid== Command: <binary>` and then has one line per access: `I  addr,size`
(instruction) or ` L|S|M addr,size` (data). The binaries are non-PIE, so an address names the same symbol in
every run; addresses outside the binary (libc.so, heap, stack) match nothing and are dropped.
"""
import bisect
import glob
import os
import re
import subprocess
import sys

# glibc's CPU-specific variants of the string and memory functions (valgrind's CPU selects other ones).
GLIBC_VARIANT = re.compile(r"__(mem|str|stp|raw|wmem|wcs)\w*_(avx|sse|evex|erms)")


class SymbolTable:
    def __init__(self, binary):
        nm = subprocess.run(["nm", "-nS", "--defined-only", binary], capture_output=True, text=True, check=True)
        rows = []
        for line in nm.stdout.splitlines():
            parts = line.split()
            if len(parts) == 4:
                address, size, kind, name = int(parts[0], 16), int(parts[1], 16), parts[2], parts[3]
            elif len(parts) == 3:
                address, size, kind, name = int(parts[0], 16), 0, parts[1], parts[2]
            else:
                continue
            if kind in "aAuU" or address == 0:
                continue
            rows.append((address, size, name))
        rows.sort()
        self.starts = [r[0] for r in rows]
        self.rows = rows

    def lookup(self, address):
        i = bisect.bisect_right(self.starts, address) - 1
        if i < 0:
            return None
        start, size, name = self.rows[i]
        end = start + size if size else (self.starts[i + 1] if i + 1 < len(self.starts) else start + 4096)
        return name if address < end else None


def touched(bin_dir, state, logs):
    known = open(state).read().split("\n") if os.path.exists(state) else []
    seen = set(known)
    tables = {}
    added = []
    for log in logs:
        binary, granules = None, {}
        with open(log, errors="replace") as f:
            for line in f:
                if line.startswith("=="):
                    m = re.search(r"Command: (\S+)", line)
                    if m and binary is None:
                        binary = os.path.join(bin_dir, os.path.basename(m.group(1)))
                    continue
                parts = line.split()
                if len(parts) == 2 and parts[0] in ("I", "L", "S", "M"):
                    granules.setdefault(int(parts[1].split(",")[0], 16) >> 4, None)
        if binary is None or not os.path.exists(binary):
            continue
        table = tables.get(binary) or tables.setdefault(binary, SymbolTable(binary))
        for granule in granules:
            name = table.lookup(granule << 4)
            if name and name not in seen:
                seen.add(name)
                added.append(name)
    with open(state, "a") as f:
        f.writelines(name + "\n" for name in added)


def big_section_symbols(static_dir, threshold=65536):
    """Symbols in plain `.text` sections larger than threshold (objects built without per-function sections)."""
    big = set()
    for archive in glob.glob(os.path.join(static_dir, "*.a")):
        headers = subprocess.run(["objdump", "-h", archive], capture_output=True, text=True).stdout
        member, big_members = None, set()
        for line in headers.splitlines():
            m = re.match(r"^(\S+):\s+file format", line)
            if m:
                member = m.group(1)
                continue
            parts = line.split()
            if len(parts) >= 3 and parts[1] == ".text" and int(parts[2], 16) > threshold:
                big_members.add(member)
        if not big_members:
            continue
        for line in subprocess.run(["objdump", "-t", archive], capture_output=True, text=True).stdout.splitlines():
            m = re.match(r"^(\S+):\s+file format", line)
            if m:
                member = m.group(1)
                continue
            m = re.match(r"^[0-9a-f]+ .{7} (\S+)\s+[0-9a-f]+\s+(?:\.hidden\s+)?(\S+)$", line)
            if m and member in big_members and m.group(1) == ".text":
                big.add(m.group(2))
    return big


def write(bin_dir, state, static_dir):
    big = big_section_symbols(static_dir)
    order = [name for name in open(state).read().split("\n") if name and name not in big]
    seen = set(order)
    for plugin in ("host-local", "bridge", "flannel"):
        for _, _, name in SymbolTable(os.path.join(bin_dir, plugin)).rows:
            if GLIBC_VARIANT.match(name) and name not in seen:
                seen.add(name)
                order.append(name)
    print("\n".join(order))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "touched":
        touched(args[0], args[1], args[2:])
    elif command == "write":
        write(*args)
    else:
        sys.exit(__doc__)
