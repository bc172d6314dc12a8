import Addressing
import Glibc

/// The address parsers every config, result, subnet.env and reservation file name goes through. Accepted text
/// round-trips through its printed (canonical) form; IPv4/IPv6 parsing agrees with glibc's `inet_pton` both ways
/// (same bytes when both accept); a CIDR's network contains its address and ends at its last address.
enum AddressChecks {
    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        address(text)
        network(text)
        if let mac = MACAddress(text) {
            require(MACAddress(mac.description) == mac, "MAC \(text) -> \(mac) does not round-trip")
        }
    }

    static func address(_ text: String) {
        let parsed = IPAddress(text)
        if let parsed {
            let printed = parsed.description
            require(IPAddress(printed) == parsed, "\(text) -> \(printed) does not parse back to the same address")
            require(IPAddress(bytes: parsed.bytes) == parsed, "\(text): bytes do not round-trip")
        }
        guard !text.utf8.contains(0) else { return }  // inet_pton reads a C string
        let family = text.utf8.contains(UInt8(ascii: ":")) ? AF_INET6 : AF_INET
        var buffer = [UInt8](repeating: 0, count: 16)
        let status = inet_pton(family, text, &buffer)
        require(
            (status == 1) == (parsed != nil),
            "\(text.debugDescription): ours \(parsed.map(\.description) ?? "rejects"), inet_pton \(status)")
        if let parsed, status == 1 {
            require(Array(buffer.prefix(parsed.bytes.count)) == parsed.bytes, "\(text): bytes differ from inet_pton")
        }
    }

    static func network(_ text: String) {
        guard let network = IPNetwork(text) else { return }
        require(network.prefixLength >= 0 && network.prefixLength <= network.family.bitCount, "\(text): prefix")
        require(IPNetwork(network.description) == network, "\(text) -> \(network) does not round-trip")
        let base = network.network
        require(base.isNetworkAddress && base.contains(network.address), "\(text): network \(base) misses the address")
        require(
            base.contains(network.lastAddress) && network.networkAddress <= network.lastAddress,
            "\(text): last address \(network.lastAddress) outside \(base)")
    }
}
