public import CNI
public import IPAM
import Posix

/// Plugin-specific CNI error codes (the spec reserves 0–99; 100+ belong to the plugin).
/// Go host-local reports all of these as 999; a specific code lets a runtime or an operator tell
/// "the pool is full" from "the plugin is broken" without parsing text. Messages stay Go's.
extension CNIError.Code {
    /// No free address in a range set (`no IP addresses available in range set: …`).
    public static let addressRangeExhausted = CNIError.Code(rawValue: 100)
    /// A requested address (`IP=`, `args.cni.ips`, `runtimeConfig.ips`) cannot be given: taken,
    /// the gateway, or outside every range set.
    public static let requestedAddressUnavailable = CNIError.Code(rawValue: 101)
    /// The attachment already holds an address in the range set (ADD twice without DEL).
    public static let duplicateAllocation = CNIError.Code(rawValue: 102)
    /// CHECK: no reservation for the container.
    public static let reservationNotFound = CNIError.Code(rawValue: 103)
}

/// The one place where host-local's errors get CNI codes (a stray `Errno` is I/O, code 5, in every plugin: `CNI`).
extension IPAMError: CNIErrorConvertible {
    ///
    /// | error | code |
    /// |---|---|
    /// | `IPAMError.invalidRange` | 7 invalid network config |
    /// | `IPAMError.rangeSetExhausted` | 100 |
    /// | `.requestedAddressTaken`, `.requestedGateway`, `.requestedAddressesOutsideRanges` | 101 |
    /// | `.duplicateAllocation` | 102 |
    /// | `.reservationNotFound` | 103 |
    /// | `.io` (store) | 5 I/O failure |
    /// | `.lockTimeout` | 11 try again later |
    /// | anything else | 999 internal |
    ///
    /// STATUS reports its own failures as 50 (see `status(_:)`).
    public var cniError: CNIError {
        switch self {
        case .invalidRange: CNIError(.invalidNetworkConfig, description)
        case .rangeSetExhausted: CNIError(.addressRangeExhausted, description)
        case .requestedAddressTaken, .requestedGateway, .requestedAddressesOutsideRanges:
            CNIError(.requestedAddressUnavailable, description)
        case .duplicateAllocation: CNIError(.duplicateAllocation, description)
        case .reservationNotFound: CNIError(.reservationNotFound, description)
        case .io: CNIError(.ioFailure, description)
        case .lockTimeout: CNIError(.tryAgainLater, description)
        }
    }
}
