import Addressing
public import CNI
import Firewall
import NetNS
import Netlink
import Posix

extension BridgePlugin {
    /// DEL: idempotent and best effort. Deletes the container interface (and with it the host veth) when the netns
    /// is still there; always releases IPAM; removes spoof-check and masquerade rules by attachment identity, so
    /// they go away even when the netns (and the addresses) are already gone. Never deletes the bridge.
    /// Every step runs even if an earlier one failed; the first failure is reported. Runs under the pod's namespace
    /// lock, so it waits for an ADD of the pod still at work (`withNamespaceLock`).
    public func del(_ call: Invocation) throws {
        try withNamespaceLock(call) { try delLocked(call) }
    }

    private func delLocked(_ call: Invocation) throws {
        // CNI_ARGS are not validated on DEL: a runtime's extra keys must never block a teardown.
        let config = try BridgeConfig(parsing: call.config)
        var failures: [CNIError] = []
        // IPAM DEL on a helper thread, overlapping the (slow, RCU-bound) veth deletion.
        let (type, delegates) = (config.ipamType ?? "", self.delegates)
        let ipam =
            config.isLayer3
            ? BackgroundTask { try delegates.run(type, .del, stdin: call.config.bytes, for: call) } : nil
        do { try step("failed to delete \"\(call.ifName)\"") { try deleteContainerInterface(call) } } catch {
            failures.append(error)
        }
        do { _ = try ipam?.wait() } catch {
            failures.append(CNIError(wrapping: error))  // the delegate's own error, unchanged
        }
        if config.macSpoofCheck {
            do { try SpoofCheck(runner: firewall, owner: owner(call)).teardown() } catch {
                call.log("spoofcheck/teardown: \(error)")  // the reference only logs this too
            }
        }
        if config.ipMasq {
            do { try step("failed to remove ipMasq rules") { try masquerade.teardown(for: owner(call)) } } catch {
                failures.append(error)
            }
        }
        if let first = failures.first { throw first }
    }

    /// Deletes `CNI_IFNAME` in the netns. A missing netns path, a path that is no longer a namespace (a stale bind
    /// mount after a reboot) and a missing interface all mean there is nothing to delete.
    private func deleteContainerInterface(_ call: Invocation) throws {
        guard !call.netns.isEmpty else { return }
        do {
            try Self.deleteLink(named: call.ifName, inNamespaceAt: call.netns)
        } catch NetNSError.notFound {
            return
        } catch NetNSError.notANamespace {
            call.log("bridge DEL: \(call.netns) is not a network namespace any more; nothing to delete there")
        }
    }

    private static func deleteLink(named name: String, inNamespaceAt path: String) throws {
        let netns = try NetNS.open(path: path)
        try netns.run { try deleteLinkIfPresent(named: name) }
    }
}

/// Deletes a link of the calling thread's namespace; a missing one is fine (DEL is idempotent).
func deleteLinkIfPresent(named name: String) throws(NetlinkError) {
    let nl = try NetlinkSocket()
    do { try nl.deleteLink(named: name) } catch let error where error.isNotFound {
        // Already gone.
    }
}
