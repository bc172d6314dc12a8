public import Addressing
public import Posix

/// Everything the allocator and its stores can fail with. Thrown with typed throws at the IPAM
/// boundary; the host-local plugin maps each case to a CNI code in its `Errors.swift`.
///
/// `description` reproduces the Go host-local messages where one exists, so logs and scripts that
/// grep for them keep working.
public enum IPAMError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A range or range set is invalid (`Network 10.0.0.0/31 too small to allocate from`).
    case invalidRange(String)
    /// Every address of range set `index` is taken.
    case rangeSetExhausted(index: Int, rangeSet: String)
    /// A requested address is already reserved.
    case requestedAddressTaken(index: Int, address: IPAddress, rangeSet: String)
    /// A requested address is the gateway of its range.
    case requestedGateway(index: Int, address: IPAddress)
    /// Requested addresses that lie in no range set.
    case requestedAddressesOutsideRanges([IPAddress])
    /// The attachment already holds `address` in range set `index` (a second ADD without DEL).
    case duplicateAllocation(index: Int, address: IPAddress, containerID: String)
    /// CHECK found no reservation for the container.
    case reservationNotFound(containerID: String)
    /// A file-system call failed: the errno, what we were doing, and on which path.
    case io(Errno, operation: String, path: String)
    /// The store's lock stayed busy for longer than the timeout.
    case lockTimeout(path: String)

    public var description: String {
        switch self {
        case .invalidRange(let message):
            message
        case .rangeSetExhausted(let index, let rangeSet):
            "failed to allocate for range \(index): no IP addresses available in range set: \(rangeSet)"
        case .requestedAddressTaken(let index, let address, let rangeSet):
            "failed to allocate for range \(index): requested IP address \(address) is not available in range set \(rangeSet)"
        case .requestedGateway(let index, let address):
            "failed to allocate for range \(index): requested ip \(address) is subnet's gateway"
        case .requestedAddressesOutsideRanges(let addresses):
            "failed to allocate all requested IPs: " + addresses.map(\.description).joined(separator: " ")
        case .duplicateAllocation(let index, let address, let containerID):
            "failed to allocate for range \(index): \(address) has been allocated to \(containerID), "
                + "duplicate allocation is not allowed"
        case .reservationNotFound(let containerID):
            "host-local: Failed to find address added by container \(containerID)"
        case .io(let errno, let operation, let path):
            "\(operation) \(path): \(errno)"
        case .lockTimeout(let path):
            "timed out waiting for lock \(path)"
        }
    }
}

extension IPAMError {
    /// Runs a file-system call and turns its `Errno` into `.io` (or `.lockTimeout` for `ETIMEDOUT`
    /// from `FileLock`).
    static func io<T>(_ operation: String, _ path: String, _ body: () throws(Errno) -> T) throws(IPAMError) -> T {
        do {
            return try body()
        } catch {
            throw .io(error, operation: operation, path: path)
        }
    }
}
