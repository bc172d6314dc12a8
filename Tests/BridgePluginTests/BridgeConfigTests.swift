import Addressing
import CNI
import Firewall
import JSON
import TestSupport
import Testing

@testable import BridgePlugin

@Suite struct BridgeConfigTests {
    struct ErrorCase: CustomTestStringConvertible, Sendable {
        var name: String
        var config: JSONObject
        var cniArgs: String
        var expected: JSONValue
        var testDescription: String { name }
    }

    static let errorCases: [ErrorCase] = {
        guard let text = try? readFixture("config-errors.json"), let list = try? JSONValue.parse(text).arrayValue else {
            return []  // reported by `fixtureIsReadable`
        }
        return list.compactMap { item in
            guard let o = item.objectValue, let name = o["case"]?.stringValue, let config = o["config"]?.objectValue,
                let expected = o["error"]
            else { return nil }
            return ErrorCase(name: name, config: config, cniArgs: o["cniArgs"]?.stringValue ?? "", expected: expected)
        }
    }()

    @Test func fixtureIsReadable() { #expect(Self.errorCases.count >= 20) }

    /// Each invalid config gives exactly the golden error document (code and message).
    @Test(arguments: errorCases) func invalidConfig(_ c: ErrorCase) throws {
        let network = try makeNetworkConfig(c.config)
        do {
            _ = try BridgeConfig(parsing: network, environmentArgs: try CNIArgs(parsing: c.cniArgs))
            Issue.record("\(c.name): accepted")
        } catch {
            #expect(error.json(version: "1.0.0") == c.expected)
        }
    }

    @Test func defaults() throws {
        let config = try BridgeConfig(parsing: try makeNetworkConfig())
        #expect(config.bridgeName == "cni0")
        #expect(!config.isGateway && !config.isDefaultGateway && !config.ipMasq && !config.isLayer3)
        #expect(config.mtu == nil && config.vlan == 0 && config.vlanTrunk.isEmpty && config.mac == nil)
    }

    @Test func everyKey() throws {
        let config = try BridgeConfig(
            parsing: try makeNetworkConfig([
                "bridge": "br-test", "isDefaultGateway": true, "forceAddress": true, "ipMasq": true,
                "ipMasqBackend": "nftables", "mtu": 1450, "promiscMode": true, "vlan": 100,
                "vlanTrunk": [["id": 5], ["minID": 10, "maxID": 12], ["id": 11]], "preserveDefaultVlan": true,
                "enabledad": true, "macspoofchk": true, "portIsolation": true, "ipam": ["type": "host-local"],
                "dns": ["nameservers": ["10.0.0.10"]], "unknownKey": "kept"
            ]))
        #expect(config.bridgeName == "br-test" && config.isGateway && config.isDefaultGateway && config.forceAddress)
        #expect(config.ipMasq && config.ipMasqBackend == .nftables && config.mtu == 1450 && config.promiscMode)
        #expect(config.vlan == 100 && config.vlanTrunk == [5, 10, 11, 12] && config.preserveDefaultVlan)
        #expect(config.enableDAD && config.macSpoofCheck && config.portIsolation && config.ipamType == "host-local")
        #expect(config.dns?.nameservers == ["10.0.0.10"] && config.usesVLANs)
        #expect(config.network.raw["unknownKey"] == "kept")
    }

    @Test func isDefaultGatewayImpliesIsGateway() throws {
        let config = try BridgeConfig(parsing: try makeNetworkConfig(["isDefaultGateway": true, "isGateway": false]))
        #expect(config.isGateway)
    }

    @Test func emptyDNSDoesNotOverride() throws {
        let config = try BridgeConfig(parsing: try makeNetworkConfig(["dns": [:]]))
        #expect(config.dns == nil)
    }
}

@Suite struct MACPrecedenceTests {
    static let a = "02:00:00:00:00:0a", b = "02:00:00:00:00:0b", c = "02:00:00:00:00:0c"

    func mac(env: String?, args: String?, runtime: String?) throws -> String? {
        let environment = try CNIArgs(parsing: env.map { "MAC=" + $0 } ?? "")
        var configArgs = JSONObject()
        var runtimeConfig = JSONObject()
        if let args { configArgs["mac"] = .string(args) }
        if let runtime { runtimeConfig["mac"] = .string(runtime) }
        return try BridgeConfig.requestedMAC(
            environmentArgs: environment, configArgs: configArgs, runtimeConfig: runtimeConfig)?.description
    }

    @Test func runtimeConfigWins() throws { #expect(try mac(env: Self.a, args: Self.b, runtime: Self.c) == Self.c) }
    @Test func argsBeatEnvironment() throws { #expect(try mac(env: Self.a, args: Self.b, runtime: nil) == Self.b) }
    @Test func environmentAlone() throws { #expect(try mac(env: Self.a, args: nil, runtime: nil) == Self.a) }
    @Test func emptyValuesAreAbsent() throws { #expect(try mac(env: Self.a, args: "", runtime: "") == Self.a) }
    @Test func none() throws { #expect(try mac(env: nil, args: nil, runtime: nil) == nil) }
    @Test func uppercaseAndDashesNormalised() throws {
        #expect(try mac(env: nil, args: nil, runtime: "02-00-00-00-00-AB") == "02:00:00:00:00:ab")
    }
}
