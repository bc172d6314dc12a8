import Addressing
import TestSupport
import Testing

@testable import Netlink

/// The reply parsers are pure functions: well-formed input parses, and truncated or random input never traps.
@Suite struct AttributeParserTests {
    /// An RTM_NEWLINK reply for a bridge port veth, built with the request builder.
    static func linkReply() -> [UInt8] {
        var builder = MessageBuilder(type: MessageType.newLink, flags: 0)
        builder.appendHeader(makeInterfaceInfoHeader(index: 5, flags: 0x1043))
        builder.put(LinkAttribute.ifname, string: "veth0")
        builder.put(LinkAttribute.mtu, integer: UInt32(1450))
        builder.put(LinkAttribute.address, [0x0a, 0x58, 0x0a, 0xf4, 0x01, 0x02])
        builder.put(LinkAttribute.master, integer: UInt32(3))
        builder.put(LinkAttribute.operState, integer: UInt8(6))
        builder.nest(LinkAttribute.linkInfo) { info in
            info.put(LinkAttribute.infoKind, string: "veth")
            info.put(LinkAttribute.infoSlaveKind, string: "bridge")
            info.nest(LinkAttribute.infoSlaveData, flagged: true) { data in
                data.put(LinkAttribute.portMode, integer: UInt8(1))
                data.put(LinkAttribute.portIsolated, integer: UInt8(0))
            }
        }
        return builder.finished(sequence: 3)
    }

    /// `first(_:)` walks headers in place; it must find exactly what iterating finds, on well-formed attribute
    /// lists, their truncations and random mutations of them.
    @Test func inPlaceWalksMatchIteration() throws {
        let message = try #require(NetlinkMessage.split(Self.linkReply()[...]).first)
        let attributes = Array(message.payload.dropFirst(16))  // after struct ifinfomsg
        var random = SplitMix64(seed: 42)
        for round in 0..<2000 {
            var bytes = attributes
            if round > 0 {
                for _ in 0..<Int.random(in: 0...3, using: &random) where !bytes.isEmpty {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
                bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
            }
            let list = Attributes(bytes[...])
            var walkedAll: [Attribute] = []
            list.forEachInPlace { walkedAll.append($0) }
            #expect(walkedAll.map(\.type) == list.map(\.type))
            #expect(walkedAll.map { Array($0.payload) } == list.map { Array($0.payload) })
            for type in UInt16(0)...UInt16(40) {
                let walked = list.first(type)
                let iterated = list.first { $0.type == type }
                #expect(walked?.type == iterated?.type)
                #expect(walked.map { Array($0.payload) } == iterated.map { Array($0.payload) })
            }
        }
    }

    @Test func parsesLink() throws {
        let message = try #require(NetlinkMessage.split(Self.linkReply()[...]).first)
        let link = try #require(Link(parsing: message))
        #expect(link.index == 5 && link.name == "veth0" && link.kind == "veth" && link.mtu == 1450)
        #expect(link.mac == MACAddress("0a:58:0a:f4:01:02"))
        #expect(link.isUp && !link.isPromiscuous && link.operationalState == .up && link.masterIndex == 3)
        #expect(link.bridgePort == BridgePortInfo(state: nil, hairpin: true, isolated: false, learning: nil))
    }

    @Test func parsesBridgeVLANDumpEntry() throws {
        // AF_BRIDGE RTM_NEWLINK for ifindex 7 with IFLA_AF_SPEC { VLAN_INFO 1 (pvid untagged), VLAN_INFO 200 }.
        var builder = MessageBuilder(type: MessageType.newLink, flags: MessageFlags.multi)
        builder.appendHeader(makeInterfaceInfoHeader(family: Family.bridge, index: 7))
        builder.put(LinkAttribute.ifname, string: "veth0")
        builder.nest(LinkAttribute.afSpec) { spec in
            spec.put(BridgeAttribute.vlanInfo, [0x06, 0x00, 0x01, 0x00])
            spec.put(BridgeAttribute.vlanInfo, [0x00, 0x00, 0xc8, 0x00])
        }
        let message = try #require(NetlinkMessage.split(builder.finished(sequence: 1)[...]).first)
        #expect(
            NetlinkSocket.parseVLANs(message, linkIndex: 7) == [
                BridgeVLAN(id: 1, flags: [.pvid, .untagged]), BridgeVLAN(id: 200)
            ])
        #expect(NetlinkSocket.parseVLANs(message, linkIndex: 8).isEmpty)
    }

    @Test func splitsSeveralMessages() {
        let one = Self.linkReply()
        let messages = NetlinkMessage.split((one + one + [1, 2, 3])[...])
        #expect(messages.count == 2)
    }

    @Test func parsesErrorWithExtendedAck() throws {
        // NLMSG_ERROR, flags CAPPED | ACK_TLVS, error -17, echoed header, NLMSGERR_ATTR_MSG "exists".
        var bytes: [UInt8] = []
        bytes.appendInteger(UInt32(16 + 4 + 16 + 12))
        bytes.appendInteger(MessageType.error)
        bytes.appendInteger(NetlinkConstant.capAck | NetlinkConstant.ackTLVs)
        bytes.appendInteger(UInt32(1))
        bytes.appendInteger(UInt32(0))
        bytes.appendInteger(Int32(-17))
        bytes += [UInt8](repeating: 0, count: 16)
        bytes += [11, 0, 1, 0] + Array("exists".utf8) + [0, 0]
        let message = try #require(NetlinkMessage.split(bytes[...]).first)
        let error = try #require(ErrorPayload(message))
        #expect(error.code == -17 && error.message == "exists")
    }

    @Test func everyTruncationIsSafe() {
        let reply = Self.linkReply()
        for length in 0...reply.count {
            for message in NetlinkMessage.split(reply[0..<length]) {
                _ = Link(parsing: message)
                _ = InterfaceAddress(parsing: message)
                _ = Route(parsing: message)
                _ = Neighbor(parsing: message)
                _ = ErrorPayload(message)
                for attribute in message.attributes(afterHeader: 16) { _ = Array(attribute.nested) }
            }
            _ = Array(Attributes(reply[0..<length]))
        }
    }

    @Test func randomBytesNeverTrap() {
        var generator = SplitMix64(seed: 0x5eed)
        let types = [
            MessageType.newLink, MessageType.newAddress, MessageType.newRoute, MessageType.newNeighbor,
            MessageType.error, MessageType.done
        ]
        for round in 0..<3000 {
            var bytes = (0..<Int.random(in: 0...160, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            if round % 2 == 0, bytes.count >= 16 {  // plausible header so the payload parsers run
                bytes.storeInteger(UInt32(bytes.count), at: 0)
                bytes.storeInteger(types[round % types.count], at: 4)
            }
            for message in NetlinkMessage.split(bytes[...]) {
                _ = Link(parsing: message)
                _ = InterfaceAddress(parsing: message)
                _ = Route(parsing: message)
                _ = Neighbor(parsing: message)
                _ = ErrorPayload(message)
                _ = NetlinkSocket.parseVLANs(message, linkIndex: 0)
                for attribute in message.attributes(afterHeader: 4) {
                    _ = Array(attribute.nested)
                    _ = attribute.string
                }
            }
        }
    }

    @Test func attributeWithBadLengthEndsSequence() {
        // nla_len = 2 (< header) must stop iteration, not loop forever.
        #expect(Array(Attributes([2, 0, 1, 0, 8, 0, 1, 0][...])).isEmpty)
        // nla_len larger than the buffer.
        #expect(Array(Attributes([200, 0, 1, 0, 1, 2, 3, 4][...])).isEmpty)
        // One good attribute followed by garbage.
        let attributes = Array(Attributes([5, 0, 7, 0, 1, 0, 0, 0, 0xff][...]))
        #expect(attributes.count == 1 && attributes[0].uint8 == 1)
    }
}
