public import Addressing

/// Address flags (`IFA_F_*`, from `ifa_flags` and the 32-bit IFA_FLAGS attribute).
public struct AddressFlags: OptionSet, Hashable, Sendable {
    /// The raw kernel value.
    public let rawValue: UInt32
    /// A value from raw kernel bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// IFA_F_SECONDARY (0x01).
    public static let secondary = AddressFlags(rawValue: 0x01)
    /// IFA_F_NODAD: skip IPv6 duplicate address detection.
    public static let noDAD = AddressFlags(rawValue: 0x02)
    /// IFA_F_OPTIMISTIC (0x04).
    public static let optimistic = AddressFlags(rawValue: 0x04)
    /// IFA_F_DADFAILED: IPv6 DAD found a duplicate.
    public static let dadFailed = AddressFlags(rawValue: 0x08)
    /// IFA_F_HOMEADDRESS (0x10).
    public static let homeAddress = AddressFlags(rawValue: 0x10)
    /// IFA_F_DEPRECATED (0x20).
    public static let deprecated = AddressFlags(rawValue: 0x20)
    /// IFA_F_TENTATIVE: IPv6 DAD still running.
    public static let tentative = AddressFlags(rawValue: 0x40)
    /// IFA_F_PERMANENT (0x80).
    public static let permanent = AddressFlags(rawValue: 0x80)
    /// IFA_F_MANAGETEMPADDR (0x100).
    public static let manageTemporaryAddress = AddressFlags(rawValue: 0x100)
    /// IFA_F_NOPREFIXROUTE: do not add the prefix route.
    public static let noPrefixRoute = AddressFlags(rawValue: 0x200)
}

/// An address on an interface, as in RTM_NEWADDR.
public struct InterfaceAddress: Hashable, Sendable {
    /// IFA_LOCAL (IPv4) or IFA_ADDRESS (IPv6) with `ifa_prefixlen`.
    public var network: IPNetwork
    /// `ifa_index`.
    public var linkIndex: Int32
    /// `ifa_scope`.
    public var scope: Scope
    /// `ifa_flags`, or IFA_FLAGS when present.
    public var flags: AddressFlags

    /// An address to add or delete; `scope` and `flags` go into `struct ifaddrmsg`.
    public init(network: IPNetwork, linkIndex: Int32, scope: Scope = .universe, flags: AddressFlags = []) {
        self.network = network
        self.linkIndex = linkIndex
        self.scope = scope
        self.flags = flags
    }
}

extension InterfaceAddress {
    static let headerLength = 8  // sizeof(struct ifaddrmsg)

    /// RTM_NEWADDR / RTM_DELADDR with IFA_LOCAL, IFA_ADDRESS, IFA_BROADCAST (IPv4 prefixes up to /30) and IFA_FLAGS.
    func makeMessage(_ type: UInt16, flags messageFlags: UInt16 = 0) -> MessageBuilder {
        var message = MessageBuilder(type: type, flags: messageFlags)
        let family = network.family == .v4 ? Family.inet : Family.inet6
        message.appendHeader(
            makeInterfaceAddressHeader(
                family: family, prefixLength: UInt8(network.prefixLength),
                flags: UInt8(truncatingIfNeeded: flags.rawValue), scope: scope.rawValue, index: linkIndex))
        message.put(AddressAttribute.local, network.address.bytes)
        message.put(AddressAttribute.address, network.address.bytes)
        if network.family == .v4, network.prefixLength < 31, type == MessageType.newAddress {
            message.put(AddressAttribute.broadcast, network.lastAddress.bytes)
        }
        if flags.rawValue > 0xFF { message.put(AddressAttribute.flags, integer: flags.rawValue) }
        return message
    }

    /// Parses RTM_NEWADDR; nil for other families or short messages.
    init?(parsing message: NetlinkMessage) {
        let header = message.payload
        guard message.type == MessageType.newAddress, let family = header.integer(at: 0, as: UInt8.self),
            let prefix = header.integer(at: 1, as: UInt8.self), let flags = header.integer(at: 2, as: UInt8.self),
            let scope = header.integer(at: 3, as: UInt8.self), let index = header.integer(at: 4, as: UInt32.self),
            let code = IPFamilyCode(rawValue: family)
        else { return nil }
        let attributes = message.attributes(afterHeader: Self.headerLength)
        // IPv4: IFA_LOCAL is the interface's address (IFA_ADDRESS is the peer on point-to-point links).
        let preferred = code == .inet ? AddressAttribute.local : AddressAttribute.address
        guard let raw = attributes.first(preferred) ?? attributes.first(AddressAttribute.address),
            let address = IPAddress(bytes: Array(raw.payload)),
            let network = IPNetwork(address: address, prefixLength: Int(prefix))
        else { return nil }
        let allFlags = attributes.first(AddressAttribute.flags)?.uint32 ?? UInt32(flags)
        self.init(
            network: network, linkIndex: Int32(bitPattern: index), scope: Scope(rawValue: scope),
            flags: AddressFlags(rawValue: allFlags))
    }
}

extension NetlinkSocket {
    /// Adds an address to a link. Sends RTM_NEWADDR with NLM_F_CREATE | NLM_F_EXCL (an existing address throws an
    /// error whose `isExists` is true); IPv4 gets IFA_BROADCAST computed from the prefix.
    public func addAddress(_ address: InterfaceAddress) throws(NetlinkError) {
        let message = address.makeMessage(
            MessageType.newAddress, flags: MessageFlags.create | MessageFlags.exclusive)
        _ = try execute(message, operation: "RTM_NEWADDR \(address.network) index \(address.linkIndex)")
    }

    /// Adds `network` to link `linkIndex`. Sends RTM_NEWADDR (see `addAddress(_:)`).
    public func addAddress(_ network: IPNetwork, linkIndex: Int32, flags: AddressFlags = []) throws(NetlinkError) {
        try addAddress(InterfaceAddress(network: network, linkIndex: linkIndex, flags: flags))
    }

    /// Removes an address from a link. Sends RTM_DELADDR; a missing address throws an error whose `isNotFound`
    /// is true.
    public func deleteAddress(_ network: IPNetwork, linkIndex: Int32) throws(NetlinkError) {
        let address = InterfaceAddress(network: network, linkIndex: linkIndex)
        let message = address.makeMessage(MessageType.delAddress)
        _ = try execute(message, operation: "RTM_DELADDR \(network) index \(linkIndex)")
    }

    /// Addresses in this namespace, optionally only of one link and one family. Sends an RTM_GETADDR dump.
    public func addresses(linkIndex: Int32? = nil, family: IPFamily? = nil) throws(NetlinkError)
        -> [InterfaceAddress]
    {
        var message = MessageBuilder(type: MessageType.getAddress, flags: 0)
        let code = family.map { $0 == .v4 ? Family.inet : Family.inet6 } ?? Family.unspecified
        message.appendHeader(makeInterfaceAddressHeader(family: code, prefixLength: 0, flags: 0, scope: 0, index: 0))
        return try dump(message, operation: "RTM_GETADDR dump").compactMap(InterfaceAddress.init(parsing:)).filter {
            (linkIndex == nil || $0.linkIndex == linkIndex) && (family == nil || $0.network.family == family)
        }
    }
}
