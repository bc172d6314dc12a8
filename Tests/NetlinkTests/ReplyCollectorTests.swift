import Testing

@testable import Netlink

/// Reply matching without a socket: sequence/port filtering, acks, kernel errors, and NLM_F_DUMP_INTR restarts.
@Suite struct ReplyCollectorTests {
    static func message(_ type: UInt16, flags: UInt16 = 0, sequence: UInt32 = 9, portID: UInt32 = 0, code: Int32? = nil)
        -> NetlinkMessage
    {
        var payload: [UInt8] = []
        if let code {
            payload.appendInteger(code)
            payload += [UInt8](repeating: 0, count: 16)  // echoed request header (NLM_F_CAPPED)
        }
        return NetlinkMessage(type: type, flags: flags, sequence: sequence, portID: portID, payload: payload[...])
    }

    static func collector() -> ReplyCollector { ReplyCollector(sequence: 9, portID: 42, operation: "test") }

    @Test func dumpCompletesAtDoneAcrossBuffers() throws {
        var collector = Self.collector()
        let link = Self.message(MessageType.newLink, flags: MessageFlags.multi)
        #expect(try collector.consume([link, link]) == .needMore)
        #expect(try collector.consume([link, Self.message(MessageType.done, code: 0)]) == .complete([link, link, link]))
    }

    @Test func interruptedDumpIsRestarted() throws {
        var collector = Self.collector()
        let interrupted = Self.message(MessageType.newLink, flags: MessageFlags.multi | MessageFlags.dumpInterrupted)
        #expect(try collector.consume([interrupted]) == .needMore)
        #expect(try collector.consume([Self.message(MessageType.done, code: 0)]) == .restart)
        // The flag on NLMSG_DONE alone also restarts.
        var other = Self.collector()
        let done = Self.message(MessageType.done, flags: MessageFlags.dumpInterrupted, code: 0)
        #expect(try other.consume([done]) == .restart)
    }

    @Test func staleSequenceAndForeignPortAreSkipped() throws {
        var collector = Self.collector()
        let stale = Self.message(MessageType.error, sequence: 8, code: -17)
        let foreign = Self.message(MessageType.error, portID: 7, code: -17)
        #expect(try collector.consume([stale, foreign]) == .needMore)
        #expect(try collector.consume([Self.message(MessageType.error, portID: 42, code: 0)]) == .complete([]))
    }

    @Test func kernelErrorIsTyped() {
        var collector = Self.collector()
        #expect(throws: NetlinkError.kernel(.fileExists, operation: "test", detail: nil)) {
            _ = try collector.consume([Self.message(MessageType.error, code: -17)])
        }
        var dump = Self.collector()
        #expect(throws: NetlinkError.kernel(.notSupported, operation: "test", detail: nil)) {
            _ = try dump.consume([Self.message(MessageType.done, code: -95)])
        }
    }

    @Test func errorAccessors() {
        let exists = NetlinkError.kernel(.fileExists, operation: "RTM_NEWLINK", detail: "File exists")
        #expect(exists.isExists && !exists.isNotFound && exists.errno == .fileExists)
        #expect(NetlinkError.kernel(.noSuchDevice, operation: "RTM_DELLINK", detail: nil).isNotFound)
        #expect(NetlinkError.linkNotFound("eth0").isNotFound)
        #expect(
            NetlinkError.wrongKind(name: "cni0", expected: "bridge", actual: "veth").description
                == "\"cni0\" already exists but is not a bridge (it is a veth)")
    }
}
