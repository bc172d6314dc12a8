public import CNI
import Posix

/// `resolvConf`: a resolv.conf-style file turned into the result's `dns` (Go's `parseResolvConf`).
public enum ResolvConf {
    /// Parses the text (pure): `nameserver`, `domain`, `search`, `options`; `#`/`;` comments and
    /// lines with fewer than two fields are skipped; a later `domain` wins.
    public static func parse(_ text: String) -> CNIResult.DNS {
        var dns = CNIResult.DNS()
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard fields.count >= 2, !fields[0].hasPrefix("#"), !fields[0].hasPrefix(";") else { continue }
            switch fields[0] {
            case "nameserver": dns.nameservers.append(fields[1])
            case "domain": dns.domain = fields[1]
            case "search": dns.search += fields.dropFirst()
            case "options": dns.options += fields.dropFirst()
            default: continue
            }
        }
        return dns
    }

    /// Reads and parses `path`; an unreadable file is an I/O error (code 5).
    public static func load(_ path: String) throws(CNIError) -> CNIResult.DNS {
        do {
            return parse(try FileSystem.readText(path))
        } catch {
            throw CNIError(.ioFailure, "failed to read resolvConf \(path): \(error)")
        }
    }
}
