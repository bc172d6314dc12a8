import Addressing
public import CNI
import Firewall
import JSON
import NetNS
import Netlink

extension BridgePlugin {
    /// ADD: IPAM (on its own thread, overlapping the link setup), bridge, veth pair, container addresses and routes,
    /// gateway, masquerade, port check. Every step that creates something registers its undo first, so a failed ADD
    /// leaves nothing behind. The IPAM result is used as soon as the plugin printed it and confirmed (exit status)
    /// before the ADD commits. Runs under the pod's namespace lock (`withNamespaceLock`).
    public func add(_ call: Invocation) throws -> CNIResult {
        try withNamespaceLock(call) { try addLocked(call) }
    }

    private func addLocked(_ call: Invocation) throws -> CNIResult {
        let config = try BridgeConfig(parsing: call.config, environmentArgs: call.args)
        let host = try HostNetwork()
        let container = try ContainerNetwork(path: call.netns, ifName: call.ifName)
        var undo = UndoStack(log: call.log)
        defer { undo.unwind() }

        let ipam = config.isLayer3 ? startIPAM(config, call, undo: &undo) : nil
        let bridge = try step("failed to create bridge \"\(config.bridgeName)\"", on: host) {
            try $0.ensureBridge(config)
        }
        let veth = try createVeth(container, config, call, undo: &undo)
        var port = try step("failed to connect \"\(veth.hostName)\" to bridge \(bridge.name)", on: host) {
            try $0.attachPort(veth.hostName, to: bridge, config)
        }
        var result = makeResult(bridge, port, veth.container, sandbox: call.netns)
        if config.macSpoofCheck { try setupSpoofCheck(port, veth.container, call, undo: &undo) }
        if let ipam {
            try useAddresses(try ipam.result(), into: &result)
            let gateways = Gateways.apply(to: &result, config)
            // The container side (its own thread and namespace) and the bridge gateway are independent: overlap them.
            let configuring = try step("failed to configure \"\(call.ifName)\"") {
                try container.configureInBackground(result, link: veth.container, enableDAD: config.enableDAD)
            }
            let gatewayOutcome = Result {
                try configureGateway(host, bridge, port, gateways, config, call, into: &result, undo: &undo)
            }
            try step("failed to configure \"\(call.ifName)\"") { try configuring.wait() }
            try gatewayOutcome.get()
            try ipam.confirm()
            if config.ipMasq { try setupMasquerade(result, config, call, undo: &undo) }
        } else if !config.disableContainerInterface {
            try step("failed to set \"\(call.ifName)\" up", on: container) { try $0.setUp() }
        }
        if !config.disableContainerInterface { port = try host.waitForForwarding(port) }
        result.interfaces[1].mac = port.mac?.description
        result.interfaces[0].mac = try host.nl.link(index: bridge.index)?.mac?.description ?? result.interfaces[0].mac
        if let dns = config.dns { result.dns = dns }
        undo.commit()
        return result
    }

    private func createVeth(
        _ container: borrowing ContainerNetwork, _ config: BridgeConfig, _ call: Invocation, undo: inout UndoStack
    ) throws -> VethPair {
        let hostNamespace = try NetNS.current()
        let veth = try step("failed to create veth", on: container) {
            try $0.createVeth(config, hostNamespaceFD: hostNamespace.fd, netnsPath: call.netns)
        }
        undo.push("delete veth \(veth.hostName)") {
            try deleteLinkIfPresent(named: veth.hostName)
        }
        return veth
    }

    /// `[bridge, host veth, container]`, the order chained plugins rely on.
    private func makeResult(_ bridge: Link, _ port: Link, _ container: Link, sandbox: String) -> CNIResult {
        CNIResult(interfaces: [
            CNIResult.Interface(name: bridge.name, mac: bridge.mac?.description),
            CNIResult.Interface(name: port.name, mac: port.mac?.description),
            CNIResult.Interface(name: container.name, mac: container.mac?.description, sandbox: sandbox)
        ])
    }

    /// Starts IPAM ADD (original stdin, same environment) on a helper thread. IPAM DEL is registered at once: any
    /// later failure waits for the ADD and releases what it reserved.
    private func startIPAM(_ config: BridgeConfig, _ call: Invocation, undo: inout UndoStack) -> IPAMRequest {
        let (type, delegates) = (config.ipamType ?? "", self.delegates)
        let request = IPAMRequest(type, delegates, call)
        undo.push("IPAM DEL (\(type))") {
            guard request.succeeded else { return }  // nothing was reserved
            _ = try delegates.run(type, .del, stdin: call.config.bytes, for: call)
        }
        return request
    }

    private func useAddresses(_ ipam: CNIResult, into result: inout CNIResult) throws {
        guard !ipam.ips.isEmpty else { throw BridgeError.missingIPConfig }
        (result.ips, result.routes, result.dns) = (ipam.ips, ipam.routes, ipam.dns)
    }

    private func setupSpoofCheck(_ port: Link, _ container: Link, _ call: Invocation, undo: inout UndoStack) throws {
        guard let mac = container.mac else { return }
        let spoofCheck = SpoofCheck(runner: firewall, owner: owner(call))
        undo.push("remove macspoofchk rules") { try spoofCheck.teardown() }
        try step("failed to setup spoof-check") { try spoofCheck.setup(hostInterface: port.name, mac: mac) }
    }

    private func setupMasquerade(_ result: CNIResult, _ config: BridgeConfig, _ call: Invocation, undo: inout UndoStack)
        throws
    {
        let owner = owner(call)
        undo.push("remove ipMasq rules") { [masquerade] in try masquerade.teardown(for: owner) }
        let backend = masquerade.backend(config.ipMasqBackend)
        try step("failed to set up ipMasq (\(backend.rawValue))") {
            try masquerade.setup(backend, result.ips.map(\.address), for: owner)
        }
    }
}
