import Addressing
import CNI
import JSON
import Testing

@testable import BridgePlugin

@Suite struct GatewaysTests {
    func result(_ ips: [(String, String?)], routes: [(String, String?)] = []) -> CNIResult {
        CNIResult(
            ips: ips.map { CNIResult.IPConfig(address: IPNetwork($0.0)!, gateway: $0.1.flatMap(IPAddress.init)) },
            routes: routes.map { CNIResult.Route(destination: IPNetwork($0.0)!, gateway: $0.1.flatMap(IPAddress.init)) }
        )
    }

    func config(_ keys: JSONObjectLiteral) throws -> BridgeConfig {
        try BridgeConfig(parsing: try makeNetworkConfig(keys.object))
    }

    @Test func plainL3KeepsIPAMGatewayButPutsNothingOnBridge() throws {
        var r = result([("10.1.0.5/24", "10.1.0.254")])
        let g = Gateways.apply(to: &r, try config([:]))
        #expect(r.ips[0].interface == 2 && r.ips[0].gateway == IPAddress("10.1.0.254"))
        #expect(g.bridgeAddresses.isEmpty && r.routes.isEmpty)
    }

    @Test func isGatewayComputesFirstHost() throws {
        var r = result([("10.1.0.5/24", nil), ("fd00::5/64", nil)])
        let g = Gateways.apply(to: &r, try config(["isGateway": true]))
        #expect(r.ips.map(\.gateway) == [IPAddress("10.1.0.1"), IPAddress("fd00::1")])
        #expect(g.bridgeAddresses == [IPNetwork("10.1.0.1/24")!, IPNetwork("fd00::1/64")!])
        #expect(g.forwardingFamilies == [.v4, .v6] && r.routes.isEmpty)
    }

    @Test func defaultRouteAddedPerFamilyOnce() throws {
        var r = result([("10.1.0.5/24", nil), ("10.2.0.5/24", nil), ("fd00::5/64", "fd00::9")])
        let g = Gateways.apply(to: &r, try config(["isDefaultGateway": true]))
        #expect(r.routes.map { "\($0.destination) \($0.gateway!)" } == ["0.0.0.0/0 10.1.0.1", "::/0 fd00::9"])
        #expect(g.bridgeAddresses.map(\.description) == ["10.1.0.1/24", "10.2.0.1/24", "fd00::9/64"])
    }

    @Test func existingDefaultRouteWithGatewayIsKept() throws {
        var r = result([("10.1.0.5/24", nil)], routes: [("0.0.0.0/0", "10.1.0.99")])
        _ = Gateways.apply(to: &r, try config(["isDefaultGateway": true]))
        #expect(r.routes.count == 1 && r.routes[0].gateway == IPAddress("10.1.0.99"))
    }

    @Test func defaultRouteWithoutGatewayDoesNotCount() throws {
        var r = result([("10.1.0.5/24", nil)], routes: [("0.0.0.0/0", nil)])
        _ = Gateways.apply(to: &r, try config(["isDefaultGateway": true]))
        #expect(r.routes.count == 2 && r.routes[1].gateway == IPAddress("10.1.0.1"))
    }

    @Test func duplicateGatewaysCollapse() throws {
        var r = result([("10.1.0.5/24", nil), ("10.1.0.6/24", nil)])
        #expect(Gateways.apply(to: &r, try config(["isGateway": true])).bridgeAddresses.count == 1)
    }
}

/// A dictionary literal usable as a test argument.
struct JSONObjectLiteral: ExpressibleByDictionaryLiteral {
    var object: JSON.JSONObject
    init(dictionaryLiteral elements: (String, JSON.JSONValue)...) { object = JSON.JSONObject(elements) }
}
