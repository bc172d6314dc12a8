import Addressing
import Testing

@Suite struct IPAddressTests {
    @Test(arguments: [
        ("10.244.1.2", "10.244.1.2"), ("0.0.0.0", "0.0.0.0"), ("255.255.255.255", "255.255.255.255"),
        ("fd00::5", "fd00::5"), ("FD00:0:0:0:0:0:0:5", "fd00::5"), ("::", "::"), ("::1", "::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("2001:0db8:0000:0000:0000:0000:0002:0001", "2001:db8::2:1"),
        ("fe80::1:2", "fe80::1:2"), ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"), ("::ffff:10.0.0.1", "::ffff:10.0.0.1"),
        ("1::", "1::"), ("1:0:0:2:0:0:0:3", "1:0:0:2::3"), ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4")
    ])
    func parsesAndFormatsCanonically(input: String, canonical: String) throws {
        let ip = try #require(IPAddress(input))
        #expect(ip.description == canonical)
        #expect(IPAddress(canonical) == ip)
    }

    @Test(arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", " 1.2.3.4", "a.b.c.d", "1..2.3",
        ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::1", "fe80::1%eth0", "1:2:3:4:5:6:7:", ":1:2::",
        "::1.2.3.4.5", "1.2.3.4/24"
    ])
    func rejectsMalformed(input: String) {
        #expect(IPAddress(input) == nil)
    }

    @Test func bytesRoundTrip() throws {
        let v4 = try #require(IPAddress("192.168.1.10"))
        #expect(v4.bytes == [192, 168, 1, 10])
        #expect(IPAddress(bytes: v4.bytes) == v4)
        let v6 = try #require(IPAddress("2001:db8::ff"))
        #expect(v6.bytes.count == 16)
        #expect(IPAddress(bytes: v6.bytes) == v6)
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
    }

    @Test func arithmeticCarriesAndWraps() throws {
        #expect(IPAddress("10.0.0.255")!.next == IPAddress("10.0.1.0"))
        #expect(IPAddress("10.0.1.0")!.previous == IPAddress("10.0.0.255"))
        #expect(IPAddress("255.255.255.255")!.next == IPAddress("0.0.0.0"))
        #expect(IPAddress("::ffff:ffff:ffff:ffff")!.next == IPAddress("0:0:0:1::"))
        #expect(IPAddress("0:0:0:1::")!.previous == IPAddress("::ffff:ffff:ffff:ffff"))
        #expect(IPAddress("fd00::1")!.advanced(by: 255) == IPAddress("fd00::100"))
    }

    @Test func classifiesAddresses() {
        #expect(IPAddress("fe80::1")!.isLinkLocalUnicast)
        #expect(IPAddress("169.254.0.1")!.isLinkLocalUnicast)
        #expect(IPAddress("224.0.0.1")!.isMulticast)
        #expect(IPAddress("ff02::1")!.isMulticast)
        #expect(IPAddress("10.1.2.3")!.isGlobalUnicast)
        #expect(!IPAddress("127.0.0.1")!.isGlobalUnicast)
        #expect(!IPAddress("::1")!.isGlobalUnicast)
        #expect(IPAddress("2001:db8::1")!.isGlobalUnicast)
    }

    @Test func ordersByFamilyThenValue() {
        let sorted = ["fd00::1", "10.0.0.2", "10.0.0.1", "::1"].compactMap { IPAddress($0) }.sorted()
        #expect(sorted.map(\.description) == ["10.0.0.1", "10.0.0.2", "::1", "fd00::1"])
    }
}

@Suite struct IPNetworkTests {
    @Test func parsesCIDRKeepingHostBits() throws {
        let n = try #require(IPNetwork("10.244.1.1/24"))
        #expect(n.address.description == "10.244.1.1")
        #expect(n.network.description == "10.244.1.0/24")
        #expect(n.lastAddress.description == "10.244.1.255")
        #expect(!n.isNetworkAddress)
        #expect(n.network.isNetworkAddress)
        #expect(n.contains(IPAddress("10.244.1.200")!))
        #expect(!n.contains(IPAddress("10.244.2.1")!))
        #expect(!n.contains(IPAddress("fd00::1")!))
    }

    @Test func ipv6Prefixes() throws {
        let n = try #require(IPNetwork("fd00:10:244:1::1/64"))
        #expect(n.network.description == "fd00:10:244:1::/64")
        #expect(n.lastAddress.description == "fd00:10:244:1:ffff:ffff:ffff:ffff")
        let n2 = try #require(IPNetwork("2001:db8::/127"))
        #expect(n2.lastAddress.description == "2001:db8::1")
        let n3 = try #require(IPNetwork("2001:db8:1:2:3:4:5:6/80"))
        #expect(n3.network.description == "2001:db8:1:2:3::/80")
        #expect(IPNetwork("::/0")!.contains(IPAddress("fd00::9")!))
        #expect(IPNetwork("0.0.0.0/0")!.contains(IPAddress("8.8.8.8")!))
    }

    @Test(arguments: [
        "10.0.0.0", "10.0.0.0/33", "fd00::/129", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/08", "/8", "10.0.0.0/8/8",
        "10.0.0.0/",
        "10.0.0.0/0008", "10.0.0.0/ 8", "10.0.0.0/8 ", "10.0.0/8", "fd00::/00"
    ])
    func rejectsMalformed(input: String) {
        #expect(IPNetwork(input) == nil)
    }

    @Test func overlapDetection() {
        #expect(IPNetwork("10.0.0.0/8")!.overlaps(IPNetwork("10.1.0.0/16")!))
        #expect(IPNetwork("10.1.0.0/16")!.overlaps(IPNetwork("10.0.0.0/8")!))
        #expect(!IPNetwork("10.1.0.0/16")!.overlaps(IPNetwork("10.2.0.0/16")!))
        #expect(!IPNetwork("10.1.0.0/16")!.overlaps(IPNetwork("fd00::/8")!))
    }

    @Test func masks() {
        #expect(IPNetwork("10.0.0.0/24")!.maskBytes == [255, 255, 255, 0])
        #expect(IPNetwork("10.0.0.0/0")!.maskBytes == [0, 0, 0, 0])
        #expect(IPNetwork("10.0.0.0/32")!.maskBytes == [255, 255, 255, 255])
        #expect(IPNetwork.defaultRoute(.v6).description == "::/0")
    }
}

@Suite struct MACAddressTests {
    @Test func parsesAndFormats() throws {
        #expect(MACAddress("0A:58:0a:f4:01:02")?.description == "0a:58:0a:f4:01:02")
        #expect(MACAddress("0a-58-0a-f4-01-02")?.description == "0a:58:0a:f4:01:02")
        #expect(MACAddress("0a:58:0a:f4:01") == nil)
        #expect(MACAddress("0a:58:0a:f4:01:0g") == nil)
        #expect(MACAddress("0a:58:0a:f4:01:002") == nil)
        #expect(MACAddress("0a:58-0a:f4:01:02") == nil)  // one separator throughout
        #expect(MACAddress("0a:58:0a:f4:01:02:") == nil)
        #expect(MACAddress("0a:58:0a:f4:0102") == nil)
        #expect(MACAddress("fF:Ee:dD:cC:bB:a9")?.description == "ff:ee:dd:cc:bb:a9")
        #expect(MACAddress("0a:58:0a:f4:01:02")!.isUsableUnicast)
        #expect(!MACAddress("01:00:5e:00:00:01")!.isUsableUnicast)
        #expect(!MACAddress("00:00:00:00:00:00")!.isUsableUnicast)
    }
}
