public import CNI
import Firewall

extension BridgePlugin {
    /// STATUS: ready when the IPAM plugin is (no IPAM: always ready).
    public func status(_ call: Invocation) throws {
        let config = try BridgeConfig(parsing: call.config)
        guard config.isLayer3 else { return }
        _ = try delegates.run(config.ipamType ?? "", .status, stdin: call.config.bytes, for: call)
    }

    /// GC: removes the masquerade rules of this network whose attachment is not in `cni.dev/valid-attachments`
    /// (both backends), then forwards GC to IPAM. Continues past errors and reports the first.
    /// Without a valid-attachments list nothing is removed here (no list is not the same as an empty one).
    public func gc(_ call: Invocation) throws {
        let config = try BridgeConfig(parsing: call.config)
        var failures: [CNIError] = []
        if let valid = call.config.validAttachments {
            do {
                try step("failed to collect stale ipMasq rules") {
                    let network = config.network.name
                    try masquerade.collectGarbage(
                        network: network,
                        keeping: valid.map {
                            MasqueradeOwner(network: network, containerID: $0.containerID, ifName: $0.ifName)
                        })
                }
            } catch { failures.append(error) }
        }
        if config.isLayer3 {
            do { _ = try delegates.run(config.ipamType ?? "", .gc, stdin: call.config.bytes, for: call) } catch {
                failures.append(error)
            }
        }
        if let first = failures.first { throw first }
    }
}
