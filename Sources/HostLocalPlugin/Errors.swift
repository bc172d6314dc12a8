public import CNI
import IPAM
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

extension HostLocalPlugin {
    /// The one place where host-local's errors get CNI codes.
    ///
    /// | error | code |
    /// |---|---|
    /// | `IPAMError.invalidRange` | 7 invalid network config |
    /// | `IPAMError.rangeSetExhausted` | 100 |
    /// | `.requestedAddressTaken`, `.requestedGateway`, `.requestedAddressesOutsideRanges` | 101 |
    /// | `.duplicateAllocation` | 102 |
    /// | `.reservationNotFound` | 103 |
    /// | `.io` (store), `Errno` | 5 I/O failure |
    /// | `.lockTimeout` | 11 try again later |
    /// | anything else | 999 internal |
    ///
    /// STATUS reports its own failures as 50 (see `status(_:)`).
    static func wireError(_ error: IPAMError) -> CNIError {
        switch error {
        case .invalidRange: CNIError(.invalidNetworkConfig, error.description)
        case .rangeSetExhausted: CNIError(.addressRangeExhausted, error.description)
        case .requestedAddressTaken, .requestedGateway, .requestedAddressesOutsideRanges:
            CNIError(.requestedAddressUnavailable, error.description)
        case .duplicateAllocation: CNIError(.duplicateAllocation, error.description)
        case .reservationNotFound: CNIError(.reservationNotFound, error.description)
        case .io: CNIError(.ioFailure, error.description)
        case .lockTimeout: CNIError(.tryAgainLater, error.description)
        }
    }

    /// `CNIPlugin` hook: IPAM errors by the table above, a stray `Errno` as I/O, the rest 999.
    public func cniError(for error: any Error) -> CNIError {
        switch error {
        case let error as IPAMError: Self.wireError(error)
        case let error as Errno: CNIError(.ioFailure, error.description)
        default: CNIError(wrapping: error)
        }
    }
}
