// The install image's installer (scripts/release.sh): copies the plugins into the host's CNI directory, each one
// atomically, so a kubelet or runtime that executes a plugin at the same moment runs the old binary or the new one,
// never a half-written file.
//
//   cni-install [--flannel-only] [--source DIR] [--dest DIR]
//       all three plugins (only flannel with --flannel-only) from DIR (default /) into DIR (default /opt/cni/bin)
//   cp [-f] SOURCE DEST      (run through the image's /bin/cp link)
//       what kube-flannel's upstream init container runs (`cp -f /flannel /opt/cni/bin/flannel`), also atomic
//
// Each copy goes to a hidden temporary file next to the target (`.flannel.tmp.XXXXXX`), is fsynced and renamed over
// the target, then the directory is fsynced (FileSystem.writeFileAtomically). A kill leaves at most such a hidden
// file, which the next `cni-install` removes. Exit status 0 on success, 1 on failure (message on stderr), 2 on
// bad usage. Fully static in release builds: the image has no shared library and no shell.
import Glibc
import Posix

let plugins = ["flannel", "bridge", "host-local"]

func fail(_ message: String, status: Int32 = 1) -> Never {
    StandardStreams.writeStandardError(message + "\n")
    exit(status)
}

func baseName(_ path: String) -> String {
    guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
    return String(path[path.utf8.index(after: slash)...])
}

/// Copies `source` over `target` atomically, with the source's permission bits.
func copyAtomically(_ source: String, to target: String) throws(Errno) {
    var info = stat()
    guard stat(source, &info) == 0 else { throw Errno.current }
    guard (info.st_mode & S_IFMT) == S_IFREG else { throw Errno.isDirectory }
    let bytes = try FileSystem.readFile(source)
    try FileSystem.writeFileAtomically(target, bytes, mode: UInt32(info.st_mode & 0o7777))
}

/// `cp [-f] SOURCE DEST`: DEST may be a directory. Other options are refused rather than ignored.
func copyCommand(_ arguments: [String]) -> Never {
    var operands: [String] = []
    var optionsDone = false
    for argument in arguments {
        if !optionsDone, argument == "--" {
            optionsDone = true
        } else if !optionsDone, argument.utf8.count > 1, argument.utf8.first == UInt8(ascii: "-") {
            guard argument.utf8.dropFirst().allSatisfy({ $0 == UInt8(ascii: "f") }) else {
                fail(
                    "cp: unsupported option \(argument) (this cp copies one file atomically: cp [-f] SOURCE DEST)",
                    status: 2)
            }
        } else {
            operands.append(argument)
        }
    }
    guard operands.count == 2 else { fail("usage: cp [-f] SOURCE DEST", status: 2) }
    let (source, destination) = (operands[0], operands[1])
    let target = FileSystem.isDirectory(destination) ? destination + "/" + baseName(source) : destination
    do throws(Errno) {
        try copyAtomically(source, to: target)
    } catch {
        fail("cp: \(source) -> \(target): \(error)")
    }
    exit(0)
}

/// Removes hidden temporary files of `names` that a killed install left in `directory`.
func removeLeftovers(in directory: String, of names: [String]) {
    guard let entries = try? FileSystem.listDirectory(directory) else { return }
    for entry in entries {
        guard let target = FileSystem.temporaryTarget(ofFileNamed: entry), names.contains(target) else { continue }
        _ = try? FileSystem.removeFile(directory + "/" + entry)
    }
}

func installCommand(_ arguments: [String]) -> Never {
    let usage = "usage: cni-install [--flannel-only] [--source DIR] [--dest DIR]"
    var (names, source, destination) = (plugins, "/", "/opt/cni/bin")
    var rest = arguments[...]
    while let argument = rest.popFirst() {
        switch argument {
        case "--flannel-only": names = ["flannel"]
        case "--source", "--dest":
            guard let value = rest.popFirst(), !value.isEmpty else {
                fail("\(argument) needs a directory\n\(usage)", status: 2)
            }
            if argument == "--source" { source = value } else { destination = value }
        case "-h", "--help":
            StandardStreams.writeStandardError(usage + "\n")
            exit(0)
        default: fail("unknown argument: \(argument)\n\(usage)", status: 2)
        }
    }
    do throws(Errno) {
        try FileSystem.makeDirectories(destination)
    } catch {
        fail("cni-install: cannot create \(destination): \(error)")
    }
    removeLeftovers(in: destination, of: names)
    for name in names {
        let (from, to) = (source == "/" ? "/" + name : source + "/" + name, destination + "/" + name)
        do throws(Errno) {
            try copyAtomically(from, to: to)
        } catch {
            fail("cni-install: \(from) -> \(to): \(error)")
        }
        StandardStreams.writeStandardError("installed \(to)\n")
    }
    exit(0)
}

let arguments = Array(CommandLine.arguments.dropFirst())
if baseName(CommandLine.arguments.first ?? "") == "cp" {
    copyCommand(arguments)
}
installCommand(arguments)
