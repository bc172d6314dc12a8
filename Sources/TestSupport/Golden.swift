public import JSON
import Posix

#if canImport(Glibc)
import Glibc
#endif

/// Whether `RECORD_FIXTURES=1` asks to rewrite golden files (the run then fails on purpose).
public var isRecordingFixtures: Bool { getenv("RECORD_FIXTURES").map { String(cString: $0) == "1" } ?? false }

/// Compares `actual` with the JSON in `Fixtures/<name>` next to the calling test file, semantically
/// (key order ignored, integers and doubles distinct). Returns a failure text, or nil when equal.
/// A `reference` fixture was written from the Go plugins (their output or their tests' expectations), not
/// from ours: `RECORD_FIXTURES=1` never rewrites it, so recording cannot replace the reference with our output.
public func goldenMismatch(
    _ actual: JSONValue, _ name: String, reference: Bool = false, file: StaticString = #filePath
) -> String? {
    golden(name, file: file, recording: reference ? nil : actual.bytes(indent: 4) + [0x0A]) { text in
        guard let expected = try? JSONValue.parse(text) else { return "fixture \(name) is not JSON" }
        return expected == actual
            ? nil
            : "golden mismatch for \(name):\nexpected \(expected.serialized(indent: 2))"
                + "\nactual   \(actual.serialized(indent: 2))"
    }
}

/// `goldenMismatch` for text compared byte for byte (what a firewall tool reads).
public func goldenMismatch(text actual: String, _ name: String, file: StaticString = #filePath) -> String? {
    golden(name, file: file, recording: Array(actual.utf8)) { expected in
        expected == actual ? nil : "golden \(name) differs:\nexpected \(expected)\nactual   \(actual)"
    }
}

/// The one `RECORD_FIXTURES` rule: with `RECORD_FIXTURES=1` the fixture is (re)written as `recording` and a failure
/// text is returned, so a recording run never passes; otherwise, and always for a fixture with no `recording` (a
/// reference), `compare` judges the fixture's text.
private func golden(
    _ name: String, file: StaticString, recording: [UInt8]?, compare: (String) -> String?
) -> String? {
    let path = fixturePath(name, file: file)
    if isRecordingFixtures, let recording {
        do {
            try FileSystem.makeDirectories(FileSystem.directoryName(path))
            try FileSystem.writeFileAtomically(path, recording, mode: 0o644)
        } catch {
            return "could not record \(path): \(error)"
        }
        return "recorded \(path) (RECORD_FIXTURES=1 always fails)"
    }
    guard let expected = try? FileSystem.readText(path) else { return "cannot read fixture \(path)" }
    return compare(expected)
}

#if canImport(Testing)
public import Testing

/// Records the golden mismatch of `actual` against `Fixtures/<name>` next to the calling test file as an issue
/// (compared as JSON values; `RECORD_FIXTURES=1` rewrites the fixture and fails).
public func expectGolden(
    _ actual: JSONValue, _ name: String, reference: Bool = false, file: StaticString = #filePath,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    if let mismatch = goldenMismatch(actual, name, reference: reference, file: file) {
        Issue.record(Comment(rawValue: mismatch), sourceLocation: sourceLocation)
    }
}

/// `expectGolden` for text compared byte for byte.
public func expectGolden(
    _ actual: String, _ name: String, file: StaticString = #filePath, sourceLocation: SourceLocation = #_sourceLocation
) {
    if let mismatch = goldenMismatch(text: actual, name, file: file) {
        Issue.record(Comment(rawValue: mismatch), sourceLocation: sourceLocation)
    }
}
#endif
