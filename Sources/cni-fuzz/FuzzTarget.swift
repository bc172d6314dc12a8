import Glibc
import Posix

/// One parser under test: bytes in, properties checked, a violated property aborts (a crash libFuzzer records).
struct FuzzTarget: Sendable {
    let name: String
    let run: @Sendable ([UInt8]) -> Void

    static let all: [FuzzTarget] = {
        var targets = [
            FuzzTarget(name: "json", run: JSONChecks.run),
            FuzzTarget(name: "address", run: AddressChecks.run),
            FuzzTarget(name: "network-config", run: ConfigChecks.networkConfig),
            FuzzTarget(name: "flannel-config", run: ConfigChecks.flannel),
            FuzzTarget(name: "bridge-config", run: ConfigChecks.bridge),
            FuzzTarget(name: "host-local-config", run: ConfigChecks.hostLocal),
            FuzzTarget(name: "result", run: ResultChecks.run),
            FuzzTarget(name: "cni-args", run: TextChecks.cniArgs),
            FuzzTarget(name: "subnet-env", run: TextChecks.subnetEnv),
            FuzzTarget(name: "resolv-conf", run: TextChecks.resolvConf),
            FuzzTarget(name: "reservation", run: TextChecks.reservation)
        ]
        #if DEBUG || FUZZING  // the netlink parser is internal: `@testable import`, which needs -enable-testing
        targets.append(FuzzTarget(name: "netlink", run: NetlinkChecks.run))
        #endif
        return targets
    }()

    static var names: [String] { all.map(\.name) }

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

/// Aborts with `message` when a property does not hold.
func require(
    _ condition: Bool, _ message: @autoclosure () -> String, line: UInt = #line, file: StaticString = #fileID
) {
    guard !condition else { return }
    StandardStreams.writeStandardError("property violated (\(file):\(line)): \(message())\n")
    abort()
}

/// `CNI_ARGS=<value>\n` as the first line of an input gives the environment's CNI_ARGS; the rest is stdin.
func splitEnvironmentArgs(_ bytes: [UInt8]) -> (args: String?, rest: [UInt8]) {
    let prefix = Array("CNI_ARGS=".utf8)
    guard bytes.starts(with: prefix) else { return (nil, bytes) }
    let end = bytes.firstIndex(of: 0x0A) ?? bytes.endIndex
    let args = String(decoding: bytes[prefix.count..<end], as: UTF8.self)
    return (args, end < bytes.endIndex ? Array(bytes[(end + 1)...]) : [])
}
