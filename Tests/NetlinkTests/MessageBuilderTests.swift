import Addressing
import TestSupport
import Testing

@testable import Netlink

/// Requests as they go on the wire (NLM_F_ACK added as `execute` does), against commented hex fixtures.
@Suite struct MessageBuilderTests {
    /// Bytes of a `.hex` fixture: hex pairs, `//` comments ignored.
    static func golden(_ name: String) throws -> [UInt8] {
        let text = try readFixture(name)
        var bytes: [UInt8] = []
        for line in text.split(separator: "\n") {
            let code = line.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)[0]
            for pair in code.split(separator: " ") { bytes.append(UInt8(pair, radix: 16)!) }
        }
        return bytes
    }

    static func wire(_ message: MessageBuilder) -> [UInt8] {
        var request = message
        request.addFlags(MessageFlags.ack)
        return request.finished(sequence: 1)
    }

    @Test func bridgeNewLink() throws {
        let request = LinkRequest(name: "cni0", kind: .bridge(vlanFiltering: true), mtu: 1500)
        #expect(Self.wire(request.makeMessage()) == (try Self.golden("newlink-bridge.hex")))
    }

    @Test func vethWithPeerInOtherNamespace() throws {
        let peer = VethPeer(name: "veth1234abcd", mtu: 1450, namespaceFD: 5, queues: 1)
        let request = LinkRequest(name: "eth0", kind: .veth(peer: peer), mtu: 1450, queues: 1)
        #expect(Self.wire(request.makeMessage()) == (try Self.golden("newlink-veth.hex")))
    }

    @Test func ipv4NewAddress() throws {
        let address = InterfaceAddress(network: IPNetwork("10.244.1.1/24")!, linkIndex: 3)
        let message = address.makeMessage(MessageType.newAddress, flags: MessageFlags.create | MessageFlags.exclusive)
        #expect(Self.wire(message) == (try Self.golden("newaddr-v4.hex")))
    }

    @Test func defaultRouteViaGateway() throws {
        let route = Route(
            destination: .defaultRoute(.v4), gateway: IPAddress("10.244.1.1"), outputLinkIndex: 3, priority: 100)
        let message = try route.makeMessage(MessageType.newRoute, flags: MessageFlags.create | MessageFlags.exclusive)
        #expect(Self.wire(message) == (try Self.golden("newroute-default.hex")))
    }

    @Test func bridgeVLANAdd() throws {
        let message = NetlinkSocket.makeVLANMessage(
            MessageType.setLink, 100, linkIndex: 7, flags: [.pvid, .untagged, .master])
        #expect(Self.wire(message) == (try Self.golden("setlink-vlan.hex")))
    }

    @Test func routeRejectsMixedFamilies() {
        let route = Route(destination: IPNetwork("10.0.0.0/8")!, gateway: IPAddress("fd00::1"))
        #expect(throws: NetlinkError.self) { try route.makeMessage(MessageType.newRoute, flags: 0) }
    }

    @Test func ipv6AddressHasNoBroadcastAndCarriesWideFlags() {
        let address = InterfaceAddress(
            network: IPNetwork("fd00::2/64")!, linkIndex: 4, flags: [.noDAD, .noPrefixRoute])
        let bytes = address.makeMessage(MessageType.newAddress).finished(sequence: 1)
        let message = NetlinkMessage.split(bytes[...])[0]
        let attributes = message.attributes(afterHeader: InterfaceAddress.headerLength)
        #expect(attributes.first(AddressAttribute.broadcast) == nil)
        #expect(attributes.first(AddressAttribute.flags)?.uint32 == 0x202)
        #expect(message.payload.first == 10)  // AF_INET6
    }

    @Test func nestedAttributesRoundTrip() {
        var builder = MessageBuilder(type: MessageType.newLink, flags: 0)
        builder.appendHeader(makeInterfaceInfoHeader(index: 9))
        builder.nest(LinkAttribute.linkInfo, flagged: true) { info in
            info.put(LinkAttribute.infoKind, string: "vxlan")
            info.nest(LinkAttribute.infoData) { $0.put(LinkAttribute.vxlanID, integer: UInt32(42)) }
        }
        let bytes = builder.finished(sequence: 7, portID: 99)
        let messages = NetlinkMessage.split(bytes[...])
        #expect(messages.count == 1)
        #expect(messages[0].sequence == 7 && messages[0].portID == 99)
        let info = messages[0].attributes(afterHeader: 16).first(LinkAttribute.linkInfo)?.nested
        #expect(info?.first(LinkAttribute.infoKind)?.string == "vxlan")
        #expect(info?.first(LinkAttribute.infoData)?.nested.first(LinkAttribute.vxlanID)?.uint32 == 42)
    }
}
