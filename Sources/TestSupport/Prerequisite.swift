#if canImport(Glibc)
import Glibc
#endif
// Testing is on the search path only when tests are built; a release build (which builds every target) skips this.
#if canImport(Testing)
import Posix
public import Testing

/// Something a test needs from the machine: root and iproute2, the Go reference plugins, a tool, a built or release
/// binary. Locally a test whose prerequisite is missing is skipped (it returns early, and argument lists leave the
/// variant out); under `CI=true` it fails instead, and no variant is left out, so a CI run can never pass by quietly
/// running less.
///
/// ```swift
/// @Suite(.enabled(if: Prerequisite.goPlugins.enabled)) struct GoInteropTests {
///     @Test func goAddOurDel() throws {
///         guard Prerequisite.goPlugins.require() else { return }
/// ```
public struct Prerequisite: Sendable, CustomStringConvertible {
    /// What is needed, as a failure names it ("the Go reference plugins in /usr/lib/cni").
    public let description: String
    public let isMet: Bool

    public init(_ description: String, isMet: Bool) {
        self.description = description
        self.isMet = isMet
    }

    /// For `.enabled(if:)`: met, or CI=true (where `require()` then records the failure).
    public var enabled: Bool { isMet || TestEnvironment.isCI }

    /// True when met. Otherwise false, and under CI=true a recorded test failure (locally: a skip).
    public func require(sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard !isMet else { return true }
        if TestEnvironment.isCI {
            Issue.record("missing under CI=true: \(description)", sourceLocation: sourceLocation)
        }
        return false
    }

    /// All of `variants` under CI=true (a missing one then fails through `require()` in the test); locally only
    /// those whose prerequisite is met.
    public static func variants<Variant>(
        _ variants: [Variant], _ prerequisite: (Variant) -> Prerequisite
    ) -> [Variant] {
        TestEnvironment.isCI ? variants : variants.filter { prerequisite($0).isMet }
    }

    // MARK: Common prerequisites

    /// Root and iproute2: the namespace integration tests.
    public static var netNS: Prerequisite {
        Prerequisite("root and iproute2 (namespace integration tests)", isMet: TestEnvironment.canManageNetNS)
    }

    /// Debian's Go reference plugins (containernetworking-plugins), `bridge` and `host-local`.
    public static var goPlugins: Prerequisite {
        let dir = TestEnvironment.goPluginDirectory
        return Prerequisite(
            "the Go reference plugins in \(dir) (Debian containernetworking-plugins)",
            isMet: FileSystem.isRegularFile(dir + "/bridge") && FileSystem.isRegularFile(dir + "/host-local"))
    }

    /// A built plugin of ours at `path` that identifies itself (its "about" line names swift-cni-plugins).
    public static func ourPlugin(at path: String) -> Prerequisite {
        let isOurs: Bool
        if FileSystem.isRegularFile(path), let result = try? run([path], environment: [], check: false) {
            isOurs = String(decoding: result.stderr, as: UTF8.self).contains("swift-cni-plugins")
        } else {
            isOurs = false  // absent or not runnable
        }
        return Prerequisite("\(path), a plugin of ours that identifies itself as swift-cni-plugins", isMet: isOurs)
    }

    /// An executable file (a release binary, ...).
    public static func executable(_ path: String, _ what: String) -> Prerequisite {
        Prerequisite("\(what) at \(path)", isMet: access(path, X_OK) == 0)
    }

    /// A tool found in the usual system directories (`iptables`, `nft`, `ping`, ...).
    public static func tool(_ name: String) -> Prerequisite {
        Prerequisite("the tool \(name)", isMet: access(resolve(name), X_OK) == 0)
    }
}

/// The guard of every namespace integration test (their suites use `.enabled(if: TestEnvironment.integrationEnabled)`):
/// `guard requireNetNS() else { return }`. Root and iproute2, else a skip locally and a failure under CI=true.
public func requireNetNS(sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    Prerequisite.netNS.require(sourceLocation: sourceLocation)
}

/// Which implementation of the plugins a test runs: Go's reference (Debian containernetworking-plugins) or ours
/// (the built products).
public enum Implementation: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case go, swift

    /// The binary of `plugin` (`bridge`, `host-local`, `flannel`).
    public func path(_ plugin: String) -> String {
        self == .go ? TestEnvironment.goPluginDirectory + "/" + plugin : TestEnvironment.binary(plugin)
    }

    /// Go's needs the Go reference plugins; ours, each of `plugins` built and identifying itself (not a placeholder).
    public func prerequisite(_ plugins: [String]) -> Prerequisite {
        guard self == .swift else { return .goPlugins }
        let each = plugins.map { Prerequisite.ourPlugin(at: path($0)) }
        return Prerequisite(each.map(\.description).joined(separator: " and "), isMet: each.allSatisfy(\.isMet))
    }

    /// Both for test arguments, Go's first; locally only those whose `plugins` are present (under CI=true both, and
    /// a missing one fails where the test requires its `prerequisite`).
    public static func available(_ plugins: [String]) -> [Implementation] {
        Prerequisite.variants(allCases) { $0.prerequisite(plugins) }
    }

    public var testDescription: String { rawValue }
}
#endif
