import Addressing
import IPAM
import Testing

@Suite struct ReservationTests {
    @Test func recordBytesMatchGo() {
        #expect(Reservation.record(for: Owner(containerID: " abc ", ifName: "eth0")) == Array("abc\r\neth0".utf8))
    }

    @Test(arguments: [
        ("abc\r\neth0", "abc", "eth0" as String?),
        ("abc\r\neth0\n", "abc", "eth0"),
        ("abc", "abc", nil),
        ("  abc\n", "abc", nil),
        ("", "", nil),
        ("boot_id 1234", "boot_id 1234", nil)
    ])
    func parsing(_ c: (String, String, String?)) {
        let r = Reservation(address: ip("10.0.0.2"), record: Array(c.0.utf8))
        #expect(r.containerID == c.1 && r.ifName == c.2)
    }

    @Test func matching() {
        let legacy = Reservation(address: ip("10.0.0.2"), record: Array("abc".utf8))
        #expect(legacy.belongs(to: Owner(containerID: "abc", ifName: "eth1")))
        #expect(!legacy.isHeld(by: Owner(containerID: "abc", ifName: "eth1")))
        let empty = Reservation(address: ip("10.0.0.2"), record: [])
        #expect(!empty.belongs(to: Owner(containerID: "", ifName: "eth0")))
    }
}
