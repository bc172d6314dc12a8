import BridgePlugin
import CNI
import Delegate
import JSON
import Posix
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A bridge network config (1.0.0, name `brnet`) with `extra` keys merged at the top level.
func makeNetworkConfig(_ extra: JSONObject = [:], version: String = "1.0.0") throws -> NetworkConfig {
    var object: JSONObject = ["cniVersion": .string(version), "name": "brnet", "type": "bridge"]
    for (key, value) in extra { object[key] = value }
    return try NetworkConfig(parsing: JSONValue.object(object).bytes())
}

/// A fake IPAM delegate whose ADD answers with a fixed result.
func makeDelegates() -> FakeDelegates {
    FakeDelegates(outputs: [
        .add: Array(#"{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.5/24","gateway":"10.1.0.1"}]}"#.utf8)
    ])
}
