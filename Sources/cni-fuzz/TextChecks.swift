import Addressing
import CNI
import FlannelPlugin
import HostLocalPlugin
import IPAM
import Posix

/// The line- and pair-oriented formats: CNI_ARGS, flanneld's subnet.env, resolv.conf, host-local's files.
enum TextChecks {
    /// CNI_ARGS agrees with a byte-level model of the reference `LoadArgs` split (`;` then `=`, empty pairs
    /// skipped); accepted pairs print back to a string that parses to the same pairs; errors are code 4.
    static func cniArgs(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let model = modelPairs(Array(text.utf8))
        let parsed: CNIArgs
        do { parsed = try CNIArgs(parsing: text) } catch {
            require(error.code == .invalidEnvironmentVariables, "CNI_ARGS error code \(error.code)")
            require(model == nil, "CNI_ARGS \(text.debugDescription) rejected, the byte-level split accepts it")
            return
        }
        let pairs = parsed.pairs.map { [$0.key, $0.value] }
        require(model == pairs, "CNI_ARGS \(text.debugDescription): \(pairs) vs byte-level \(model ?? [])")
        let printed = parsed.pairs.map { $0.key + "=" + $0.value }.joined(separator: ";")
        require((try? CNIArgs(parsing: printed)) == parsed, "CNI_ARGS \(printed.debugDescription) does not round-trip")
        for pair in parsed.pairs { require(parsed[pair.key] != nil, "CNI_ARGS lookup of \(pair.key) fails") }
        do { try parsed.validate(known: ["IP", "MAC", "K8S_POD_NAME"]) } catch {
            require(error.code == .invalidEnvironmentVariables, "CNI_ARGS validate code \(error.code)")
        }
    }

    private static func modelPairs(_ bytes: [UInt8]) -> [[String]]? {
        var pairs: [[String]] = []
        for pair in bytes.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else { return nil }
            pairs.append(parts.map { String(decoding: $0, as: UTF8.self) })
        }
        return pairs
    }

    /// subnet.env never traps; an accepted lease has no host bits in its subnets, no duplicate networks, the
    /// families in the right keys, and prints back (as flanneld writes it) to the same lease. Errors list something.
    static func subnetEnv(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let lease: SubnetEnv
        do { lease = try SubnetEnv(parsing: text, path: "subnet.env") } catch {
            require(!error.invalid.isEmpty || !error.missing.isEmpty, "subnet.env error with nothing in it")
            return
        }
        for subnet in [lease.subnet, lease.ipv6Subnet].compactMap({ $0 }) {
            require(subnet.isNetworkAddress, "subnet \(subnet) keeps host bits")
        }
        for list in [lease.networks, lease.ipv6Networks] {
            require(Set(list).count == list.count, "duplicate networks in \(list)")
            require(list.allSatisfy(\.isNetworkAddress), "network with host bits in \(list)")
        }
        require(lease.subnet != nil || lease.ipv6Subnet != nil, "lease without a subnet")
        require(!lease.networks.isEmpty || !lease.ipv6Networks.isEmpty, "lease without a network")
        let again = try? SubnetEnv(parsing: print(lease), path: "subnet.env")
        require(again == lease, "subnet.env does not round-trip: \(print(lease).debugDescription)")
    }

    /// flanneld's format.
    static func print(_ lease: SubnetEnv) -> String {
        var lines: [String] = []
        func list(_ networks: [IPNetwork]) -> String { networks.map(\.description).joined(separator: ",") }
        if !lease.networks.isEmpty { lines.append("FLANNEL_NETWORK=" + list(lease.networks)) }
        if let subnet = lease.subnet { lines.append("FLANNEL_SUBNET=\(subnet)") }
        if !lease.ipv6Networks.isEmpty { lines.append("FLANNEL_IPV6_NETWORK=" + list(lease.ipv6Networks)) }
        if let subnet = lease.ipv6Subnet { lines.append("FLANNEL_IPV6_SUBNET=\(subnet)") }
        lines.append("FLANNEL_MTU=\(lease.mtu)")
        lines.append("FLANNEL_IPMASQ=\(lease.ipMasq)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// resolv.conf: every value is a non-empty field without whitespace (as Go's `strings.Fields` splits), and the
    /// DNS printed back as a resolv.conf parses to the same DNS.
    static func resolvConf(_ bytes: [UInt8]) {
        let dns = ResolvConf.parse(String(decoding: bytes, as: UTF8.self))
        for value in dns.nameservers + dns.search + dns.options + [dns.domain].compactMap({ $0 }) {
            require(!value.isEmpty, "empty resolv.conf field")
            require(!value.unicodeScalars.contains { $0.properties.isWhitespace }, "field \(value.debugDescription)")
        }
        var lines = dns.nameservers.map { "nameserver " + $0 }
        if let domain = dns.domain { lines.append("domain " + domain) }
        if !dns.search.isEmpty { lines.append((["search"] + dns.search).joined(separator: " ")) }
        if !dns.options.isEmpty { lines.append((["options"] + dns.options).joined(separator: " ")) }
        let again = ResolvConf.parse(lines.joined(separator: "\n"))
        require(again == dns, "resolv.conf does not round-trip: \(dns) -> \(again)")
    }

    /// host-local's files: a reservation record (`<id>\r\n<ifname>` or legacy `<id>`), `last_reserved_ip.N`, the
    /// `boot_id` marker and /proc/stat's `btime`. Records: no surrounding whitespace, ownership consistent, and the
    /// record written for the owner read back gives the same owner.
    static func reservation(_ bytes: [UInt8]) {
        let address = IPAddress(v4: 0x0AF4_0102)
        let reservation = Reservation(address: address, record: bytes)
        let id = reservation.containerID
        require(id.utf8.first.map { !isSpace($0) } ?? true, "container ID \(id.debugDescription) starts with space")
        if let ifName = reservation.ifName {
            let owner = Owner(containerID: id, ifName: ifName)
            require(reservation.isHeld(by: owner) && reservation.belongs(to: owner), "record not held by its owner")
            require(!reservation.isLegacyRecord(of: id), "record with ifname counted as legacy")
            if id.utf8.last.map({ !isSpace($0) }) ?? true, !ifName.isEmpty {
                let again = Reservation(address: address, record: Reservation.record(for: owner))
                require(again == reservation, "record \(owner) does not round-trip: \(again)")
            }
        } else {
            require(id.utf8.last.map { !isSpace($0) } ?? true, "legacy ID \(id.debugDescription) ends with space")
            require(reservation.isLegacyRecord(of: id) == !id.isEmpty, "legacy record not matched by its ID")
        }
        if let last = FileStore.lastReserved(parsing: bytes) {
            require(FileStore.lastReserved(parsing: Array("\(last)\n".utf8)) == last, "last_reserved_ip \(last)")
        }
        if let boot = FileStore.bootID(parsingMarker: bytes), !boot.isEmpty, !isSpace(boot.utf8.last!) {
            let marker = Array(("boot_id " + boot + "\n").utf8)
            require(FileStore.bootID(parsingMarker: marker) == boot, "boot_id marker \(boot.debugDescription)")
        }
        _ = BootSource.bootTime(procStat: String(decoding: bytes, as: UTF8.self))
        // File names in host-local's and flannel's directories: a temporary file's target is what it stands for.
        let name = String(decoding: bytes, as: UTF8.self)
        if let target = FileSystem.temporaryTarget(ofFileNamed: name) {
            require(FileSystem.isTemporaryFileName(name) && !target.isEmpty, "temporary name \(name.debugDescription)")
            require(DelegateStore.owner(ofFileNamed: name) == target, "flannel owner of \(name.debugDescription)")
        } else {
            require(DelegateStore.owner(ofFileNamed: name) == name, "flannel owner of \(name.debugDescription)")
        }
    }

    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (0x09...0x0D).contains(c) }
}
