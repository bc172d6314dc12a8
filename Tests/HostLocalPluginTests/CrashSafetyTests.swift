import JSON
import Posix
import TestSupport
import Testing

/// host-local processes killed with SIGKILL at arbitrary points: every reservation left on disk is
/// complete (`<id>\r\n<ifname>`), nothing half-written can be mistaken for one, and the network keeps
/// working afterwards.
@Suite struct CrashSafetyTests {
    @Test func killedAddsLeaveOnlyCompleteReservations() throws {
        let network = try Network(version: "1.0.0")
        let config = network.dataDir + "/config.json"
        try FileSystem.writeFileAtomically(config, network.config())
        // 60 ADDs, each SIGKILLed after 0-5 ms (a start-up takes about 1 ms, so kills land in every phase).
        let script = """
            for i in $(seq 60); do
              CNI_COMMAND=ADD CNI_CONTAINERID=k$i CNI_NETNS=/x CNI_IFNAME=eth0 CNI_PATH=/x "$0" < "$1" > /dev/null 2>&1 &
              pid=$!
              sleep 0.00$((i % 6))
              kill -9 $pid 2>/dev/null
              wait $pid 2>/dev/null
            done
            true
            """
        try run(["sh", "-c", script, TestEnvironment.binary("host-local"), config])

        let survivors = try network.reservations()
        for (address, record) in survivors {
            let id = record.split(separator: "\r\n").first.map(String.init) ?? ""
            #expect(
                record == id + "\r\neth0" && id.hasPrefix("k"),
                "\(address) holds a partial record: \(record.debugDescription)")
        }
        // Every surviving reservation is released by its DEL; the network then hands out addresses again,
        // and stale temp files left by the kills are gone after that call.
        for record in Set(survivors.values) {
            let id = String(record.split(separator: "\r\n")[0])
            #expect(try network.run("DEL", id).exitCode == 0)
        }
        #expect(try network.reservations().isEmpty)
        #expect(try network.add("after").count == 1)
        let leftovers = try FileSystem.listDirectory(network.directory).filter { $0.contains(".tmp.") }
        #expect(leftovers.isEmpty, "temp files left: \(leftovers)")
    }
}
