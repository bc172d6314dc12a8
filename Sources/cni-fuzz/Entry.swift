// Two ways to run the same targets (docs/DEVELOPING.md, "Fuzzing"):
// - built by scripts/fuzz.sh with `-sanitize=fuzzer,address -D FUZZING`: `main` starts libFuzzer's driver, which
//   calls `LLVMFuzzerTestOneInput` with mutated inputs for the target named by CNI_FUZZ_TARGET;
// - built normally (`swift build`): `cni-fuzz TARGET FILE|DIR...` runs each input once through the same checks (a
//   cheap regression run over a corpus).
import Glibc
import Posix

#if FUZZING
nonisolated(unsafe) private var selected: FuzzTarget?

/// libFuzzer's driver (compiler-rt `FuzzerDriver.cpp`; declared here, there is no header to import: three pointer-sized
/// arguments and an int result pass the same way under Swift's and C's conventions). SwiftPM links an executable's
/// `main` to the `@main` entry, so libFuzzer's own `main` is never linked in: ours starts the driver.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    selected?.run(bytes)
    return 0
}

@main
enum FuzzerMain {
    static func main() {
        selected = target()
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv) { data, size in fuzzerTestOneInput(data, size) })
    }

    /// The target CNI_FUZZ_TARGET names. A function of its own, so no temporary outlives it: main never returns, and
    /// LeakSanitizer would report a string still held by its frame.
    @inline(never)
    static func target() -> FuzzTarget {
        let name = getenv("CNI_FUZZ_TARGET").map { String(cString: $0) } ?? ""
        guard let target = FuzzTarget.named(name) else {
            let names = FuzzTarget.names.joined(separator: " ")
            StandardStreams.writeStandardError("CNI_FUZZ_TARGET must be one of: \(names)\n")
            exit(2)
        }
        return target
    }
}
#else
@main
enum CorpusRunner {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget.named(name), arguments.count >= 2 else {
            let names = FuzzTarget.names.joined(separator: " ")
            StandardStreams.writeStandardError("usage: cni-fuzz TARGET FILE|DIR...  (targets: \(names))\n")
            exit(2)
        }
        var count = 0
        for path in arguments.dropFirst() {
            for file in files(at: path) {
                guard let bytes = try? FileSystem.readFile(file) else {
                    StandardStreams.writeStandardError("cni-fuzz: cannot read \(file)\n")
                    exit(1)
                }
                target.run(bytes)
                count += 1
            }
        }
        print("\(name): \(count) inputs ok")
    }

    /// `path` itself, or the regular files directly inside it (sorted).
    static func files(at path: String) -> [String] {
        guard let directory = try? Directory(path: path), let names = try? directory.names() else { return [path] }
        return names.filter { !$0.hasPrefix(".") }.sorted().map { path + "/" + $0 }
    }
}
#endif
