public import JSON
import Posix

/// The per-container files `<dataDir>/<containerID>` holding the full delegate config written by ADD,
/// in the reference's layout (directory 0700, file 0600, compact JSON), so an ADD by either the Go
/// plugin or this one can be torn down by a DEL from the other.
public struct DelegateStore: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// A delegate config read back from disk.
    public struct Stored: Sendable, Equatable {
        public var type: String
        public var object: JSONObject
        /// The file's exact bytes (replayed unchanged on DEL, as the reference does).
        public var bytes: [UInt8]
    }

    /// What `load` found.
    public enum Lookup: Sendable, Equatable {
        case found(Stored)
        case missing
        /// Unreadable, not JSON, or without a string `type`; the reason does not repeat the path.
        case corrupt(String)
    }

    public func path(for containerID: String) -> String { directory + "/" + containerID }

    /// Writes atomically (temp file, fsync, rename, directory fsync): a crash never leaves a half-written config,
    /// which was flannel-io/flannel#1662's stuck DEL. In three steps: the content is written to a temporary file and
    /// its fsync started now; `commit()` waits for it and puts the file in place; the directory fsync then runs in
    /// the background until `waitUntilDurable()`. Meanwhile the caller can start and run the delegate.
    public func beginSave(_ bytes: [UInt8], for containerID: String) throws(FlannelError) -> PendingSave {
        do {
            try FileSystem.makeDirectories(directory, mode: 0o700)
        } catch {
            throw .storeFailed(operation: "create directory", path: directory, error)
        }
        let path = path(for: containerID)
        do {
            return PendingSave(write: try FileSystem.AtomicWrite(path, bytes, mode: 0o600))
        } catch {
            throw .storeFailed(operation: "write", path: path, error)
        }
    }

    /// A stored config whose fsync is under way; dropped without `commit()`, nothing is left on disk.
    public struct PendingSave: Sendable {
        let write: FileSystem.AtomicWrite

        /// Waits for the fsync and renames the file into place (a complete, durable file under its name); the
        /// directory fsync that makes the name durable starts in the background.
        public func commit() throws(FlannelError) {
            do { try write.commit() } catch { throw .storeFailed(operation: "write", path: write.path, error) }
        }

        /// Waits for the directory fsync started by `commit()`.
        public func waitUntilDurable() { write.waitUntilDurable() }
    }

    public func load(_ containerID: String) -> Lookup {
        let path = path(for: containerID)
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readFile(path)
        } catch {
            return error == .noSuchFileOrDirectory ? .missing : .corrupt("cannot read it: \(FlannelError.text(error))")
        }
        return Self.parse(bytes)
    }

    /// A stored file's contents (pure): `.found` or `.corrupt`.
    public static func parse(_ bytes: [UInt8]) -> Lookup {
        let document: JSONValue
        do { document = try JSONValue.parse(bytes) } catch { return .corrupt("\(error)") }
        guard let object = document.objectValue else { return .corrupt("not a JSON object") }
        guard let type = DelegateConfig.type(of: object) else { return .corrupt("no delegate \"type\"") }
        return .found(Stored(type: type, object: object, bytes: bytes))
    }

    /// Removes the file; false when it was already gone.
    @discardableResult
    public func remove(_ containerID: String) throws(FlannelError) -> Bool {
        let path = path(for: containerID)
        do {
            return try FileSystem.removeFile(path)
        } catch {
            throw .storeFailed(operation: "remove", path: path, error)
        }
    }

    /// The container a file in the directory belongs to: its own name, or for a temporary file left by a process
    /// killed during ADD (`.<containerID>.tmp.XXXXXX`), the container it was being written for.
    public static func owner(ofFileNamed name: String) -> String {
        FileSystem.temporaryTarget(ofFileNamed: name) ?? name
    }

    /// Removes temporary files left for `containerID` by an ADD that was killed before its rename; returns their names.
    public func removeLeftovers(of containerID: String) throws(FlannelError) -> [String] {
        guard FileSystem.isDirectory(directory) else { return [] }
        let names: [String]
        do { names = try FileSystem.listDirectory(directory) } catch {
            throw .storeFailed(operation: "list", path: directory, error)
        }
        // Checked by name only (no stat per file): this runs on every DEL.
        let leftovers = names.filter { FileSystem.temporaryTarget(ofFileNamed: $0) == containerID }
        for name in leftovers { try remove(name) }
        return leftovers
    }

    /// Names of the regular files in the directory (container IDs, plus any temp file a crash left);
    /// empty when the directory does not exist.
    public func entries() throws(FlannelError) -> [String] {
        guard FileSystem.isDirectory(directory) else { return [] }
        do {
            return try FileSystem.listDirectory(directory).filter { FileSystem.isRegularFile(path(for: $0)) }.sorted()
        } catch {
            throw .storeFailed(operation: "list", path: directory, error)
        }
    }
}
