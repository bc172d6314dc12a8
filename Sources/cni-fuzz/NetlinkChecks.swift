#if DEBUG || FUZZING
@testable import Netlink

/// The netlink reply parser on a raw receive buffer (ASan catches any read outside it). Messages stay inside the
/// buffer; the three attribute walks (iterator, `forEachInPlace`, `first`) agree at every nesting level; every
/// message parser runs on every payload (the message type is set to each one's), and whatever parses re-encodes
/// through the request builder to a message that parses to a fixed point; the reply collector never traps.
enum NetlinkChecks {
    static func run(_ bytes: [UInt8]) {
        let buffer = bytes[...]
        let messages = NetlinkMessage.split(buffer)
        var previousEnd = buffer.startIndex
        for message in messages {
            require(
                message.payload.startIndex >= previousEnd + 16 && message.payload.endIndex <= buffer.endIndex,
                "message payload \(message.payload.indices) outside the buffer")
            previousEnd = message.payload.endIndex
            for header in [0, 4, 8, 12, 16] { attributes(message.attributes(afterHeader: header), depth: 0) }
            parsers(message)
        }
        if let sequence = buffer.integer(at: 8, as: UInt32.self) {
            var collector = ReplyCollector(sequence: sequence, portID: 1, operation: "fuzz")
            _ = try? collector.consume(messages)
        }
    }

    static func parsers(_ message: NetlinkMessage) {
        var m = message
        m.type = MessageType.newLink
        if let link = Link(parsing: m) { require(!link.name.utf8.contains(0), "link name with NUL") }
        _ = NetlinkSocket.parseVLANs(m, linkIndex: m.payload.integer(at: 4, as: Int32.self) ?? 0)
        m.type = MessageType.newAddress
        if let address = InterfaceAddress(parsing: m) {
            let again = reparse(address.makeMessage(MessageType.newAddress), InterfaceAddress.init(parsing:))
            require(again == address, "address \(address) re-encodes as \(String(describing: again))")
        }
        m.type = MessageType.newRoute
        if let route = Route(parsing: m), let once = try? route.makeMessage(MessageType.newRoute, flags: 0),
            let normalized = reparse(once, Route.init(parsing:))
        {
            let twice = try? normalized.makeMessage(MessageType.newRoute, flags: 0)
            let again = twice.flatMap { reparse($0, Route.init(parsing:)) }
            require(again == normalized, "route \(normalized) re-encodes as \(String(describing: again))")
        }
        m.type = MessageType.newNeighbor
        if let neighbor = Neighbor(parsing: m) {
            let again = reparse(neighbor.makeMessage(MessageType.newNeighbor), Neighbor.init(parsing:))
            require(again == neighbor, "neighbor \(neighbor) re-encodes as \(String(describing: again))")
        }
        m.type = MessageType.error
        _ = ErrorPayload(m)?.message
    }

    static func reparse<T>(_ builder: MessageBuilder, _ parse: (NetlinkMessage) -> T?) -> T? {
        let bytes = builder.finished(sequence: 1)
        let messages = NetlinkMessage.split(bytes[...])
        require(messages.count == 1, "a built request splits into \(messages.count) messages")
        return messages.first.flatMap(parse)
    }

    static func attributes(_ attributes: Attributes, depth: Int) {
        let bytes = attributes.bytes
        let iterated = Array(attributes)
        var inPlace: [Attribute] = []
        attributes.forEachInPlace { inPlace.append($0) }
        require(iterated.count == inPlace.count, "iterator \(iterated.count) vs in place \(inPlace.count) attributes")
        for (a, b) in zip(iterated, inPlace) {
            require(a.type == b.type && a.payload.indices == b.payload.indices, "iterator and in-place walks differ")
            require(
                a.payload.startIndex >= bytes.startIndex + 4 && a.payload.endIndex <= bytes.endIndex,
                "attribute payload outside its container")
            _ = (a.uint8, a.uint16, a.uint32, a.int32, a.string)
        }
        var types = Set(iterated.map(\.type))
        types.insert(0xFFFF)
        types.insert(UInt16(iterated.count))
        for type in types {
            let expected = iterated.first { $0.type == type }
            let found = attributes.first(type)
            require(found?.payload.indices == expected?.payload.indices, "first(\(type)) differs from iteration")
            require(attributes.all(type).count == iterated.filter { $0.type == type }.count, "all(\(type))")
        }
        guard depth < 3 else { return }
        for attribute in iterated { self.attributes(attribute.nested, depth: depth + 1) }
    }
}
#endif
