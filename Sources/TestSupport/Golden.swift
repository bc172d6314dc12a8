#if canImport(Glibc)
import Glibc
#endif
public import JSON
import Posix

/// Whether `RECORD_FIXTURES=1` asks to rewrite golden files (the run then fails on purpose).
public var isRecordingFixtures: Bool { getenv("RECORD_FIXTURES").map { String(cString: $0) == "1" } ?? false }

/// Compares `actual` with the JSON in `Fixtures/<name>` next to the calling test file, semantically
/// (key order ignored, integers and doubles distinct). Returns a failure text, or nil when equal.
/// With `RECORD_FIXTURES=1` the fixture is (re)written and a failure text is returned.
public func goldenMismatch(_ actual: JSONValue, _ name: String, file: StaticString = #filePath) -> String? {
    let path = fixturePath(name, file: file)
    if isRecordingFixtures {
        do {
            try FileSystem.makeDirectories(FileSystem.directoryName(path))
            try FileSystem.writeFileAtomically(path, actual.bytes(indent: 4) + [0x0A], mode: 0o644)
        } catch {
            return "could not record \(path): \(error)"
        }
        return "recorded \(path) (RECORD_FIXTURES=1 always fails)"
    }
    let expected: JSONValue
    do {
        expected = try JSONValue.parse(try FileSystem.readFile(path))
    } catch {
        return "cannot read fixture \(path): \(error)"
    }
    return expected == actual ? nil : "golden mismatch for \(name):\nexpected \(expected.serialized(indent: 2))\nactual   \(actual.serialized(indent: 2))"
}

/// `goldenMismatch` for text compared byte for byte (what a firewall tool reads), same `RECORD_FIXTURES=1` rule.
public func goldenMismatch(text actual: String, _ name: String, file: StaticString = #filePath) -> String? {
    let path = fixturePath(name, file: file)
    if isRecordingFixtures {
        do { try FileSystem.writeFileAtomically(path, Array(actual.utf8), mode: 0o644) } catch {
            return "could not record \(path): \(error)"
        }
        return "recorded \(path) (RECORD_FIXTURES=1 always fails)"
    }
    guard let expected = try? FileSystem.readText(path) else { return "cannot read fixture \(path)" }
    return expected == actual ? nil : "golden \(name) differs:\nexpected \(expected)\nactual   \(actual)"
}
