#!/usr/bin/env python3
"""Makes release binaries a function of their sources: scripts/release.sh runs it on its copies of the binaries.

swiftc writes a 16-byte module hash into every object file (section `.swift_modhash`) that differs on every
compile, even of the same file in the same directory; nothing reads it at run time (it is kept only as a `used`
global). lld then derives the GNU build ID from the whole output, so that differs too. For each ELF64 file given,
this zeroes `.swift_modhash` and sets the build ID to the first bytes of the SHA-1 of the file with its build ID
zeroed: two builds of one commit then give byte-identical binaries, and the build ID still names the content.

usage: elf_reproducible.py FILE...      (rewrites each file in place; fails on anything but ELF64 little-endian)
"""
import hashlib
import struct
import sys


def sections(data):
    """{name: (file offset, size)} from the section headers."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not an ELF64 little-endian file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    names_offset = headers[shstrndx][4]
    result = {}
    for name, _type, _flags, _addr, offset, size, *_ in headers:
        end = data.index(b"\0", names_offset + name)
        result[data[names_offset + name:end].decode()] = (offset, size)
    return result


def normalize(data):
    """Returns data with the module hash zeroed and the build ID recomputed."""
    data = bytearray(data)
    found = sections(data)
    if ".swift_modhash" in found:
        offset, size = found[".swift_modhash"]
        data[offset:offset + size] = bytes(size)
    if ".note.gnu.build-id" in found:
        offset, _ = found[".note.gnu.build-id"]
        namesz, descsz, kind = struct.unpack_from("<III", data, offset)
        if kind != 3 or data[offset + 12:offset + 12 + namesz] != b"GNU\0":
            raise ValueError("unexpected build-id note")
        desc = offset + 12 + (namesz + 3) // 4 * 4
        data[desc:desc + descsz] = bytes(descsz)
        digest = hashlib.sha1(data).digest()
        data[desc:desc + descsz] = (digest * (descsz // len(digest) + 1))[:descsz]
    return bytes(data)


def main(paths):
    for path in paths:
        with open(path, "rb") as f:
            original = f.read()
        try:
            normalized = normalize(original)
        except ValueError as error:
            sys.exit(f"{path}: {error}")
        if normalized != original:
            with open(path, "r+b") as f:
                f.write(normalized)


if __name__ == "__main__":
    main(sys.argv[1:])
