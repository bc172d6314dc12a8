public import CNI
import Posix

/// `resolvConf`: a resolv.conf-style file turned into the result's `dns` (Go's `parseResolvConf`).
public enum ResolvConf {
    /// Parses the text (pure): `nameserver`, `domain`, `search`, `options`; `#`/`;` comments and
    /// lines with fewer than two fields are skipped; a later `domain` wins.
    /// Fields are split at Unicode white space (Go's `strings.Fields`: also `\v`, `\f`, U+00A0, ...), on scalars: split
    /// by `Character`, a space followed by a combining mark was no separator (found by scripts/fuzz.sh, resolv-conf).
    public static func parse(_ text: String) -> CNIResult.DNS {
        var dns = CNIResult.DNS()
        for line in text.unicodeScalars.split(separator: "\n") {
            let fields = line.split(whereSeparator: \.properties.isWhitespace).map { String(Substring($0)) }
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
