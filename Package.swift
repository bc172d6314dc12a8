// swift-tools-version:6.1
import PackageDescription

// Release binaries: static Swift stdlib, jansson linked statically, libmnl shared (see README "Install" and docs/DEVELOPING.md).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
    // Metadata of concrete generic types (`[CNIResult.Interface]`'s storage class, ...) through accessor functions
    // instead of demangling the type's name at run time: that demangling was a quarter of a bridge ADD's instructions,
    // for a little more code (docs/PERFORMANCE.md).
    .unsafeFlags(
        ["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"], .when(configuration: .release))
]

let fullyStaticInRelease: [LinkerSetting] = [.unsafeFlags(["-static-executable"], .when(configuration: .release))]

let package = Package(
    name: "swift-cni-plugins",
    products: [
        .executable(name: "flannel", targets: ["flannel"]),
        .executable(name: "bridge", targets: ["bridge"]),
        .executable(name: "host-local", targets: ["host-local"])
    ],
    targets: [
        // C libraries (Debian libjansson-dev, libmnl-dev) and glibc declarations hidden behind _GNU_SOURCE.
        // No pkgConfig on CJansson: it would add a shared -ljansson ahead of the static one (JSON links
        // libjansson.a by name).
        .systemLibrary(name: "CJansson", providers: [.apt(["libjansson-dev"])]),
        // No pkgConfig on CMnl either: its -L/usr/lib/x86_64-linux-gnu would go ahead of the release build's
        // library folder (scripts/common.sh); Netlink links -lmnl itself and the headers are in /usr/include.
        .systemLibrary(name: "CMnl", providers: [.apt(["libmnl-dev"])]),
        .systemLibrary(name: "CPosix"),

        .target(name: "Posix", dependencies: ["CPosix"], swiftSettings: swiftSettings),
        .target(name: "Addressing", swiftSettings: swiftSettings),
        .target(
            name: "JSON", dependencies: ["CJansson"], swiftSettings: swiftSettings,
            linkerSettings: [.unsafeFlags(["-Xlinker", "-l:libjansson.a"])]),
        // The release version in the about line, stamped at link time by build_release (Sources/CVersion).
        .target(name: "CVersion"),
        .target(name: "CNI", dependencies: ["JSON", "Addressing", "Posix", "CVersion"], swiftSettings: swiftSettings),
        // Running a delegated plugin (bridge's IPAM, flannel's delegate) found through CNI_PATH.
        .target(name: "Delegate", dependencies: ["CNI", "JSON", "Posix"], swiftSettings: swiftSettings),
        .target(
            name: "Netlink", dependencies: ["CMnl", "Addressing", "Posix"], swiftSettings: swiftSettings,
            linkerSettings: [.linkedLibrary("mnl")]),
        .target(name: "NetNS", dependencies: ["CPosix", "Posix"], swiftSettings: swiftSettings),
        .target(name: "IPAM", dependencies: ["Addressing", "Posix"], swiftSettings: swiftSettings),

        .target(name: "HostLocalPlugin", dependencies: ["CNI", "IPAM"], swiftSettings: swiftSettings),
        // Masquerade (iptables, nftables), spoof check and the runner of the firewall programs; names as the Go plugins.
        .target(name: "Firewall", dependencies: ["Addressing", "JSON", "Posix"], swiftSettings: swiftSettings),
        .target(
            name: "BridgePlugin", dependencies: ["CNI", "Delegate", "Firewall", "Netlink", "NetNS"],
            swiftSettings: swiftSettings),
        .target(
            name: "FlannelPlugin", dependencies: ["CNI", "Delegate", "JSON", "Posix", "Addressing"],
            swiftSettings: swiftSettings),

        // host-local and flannel need no libmnl, so their release builds are fully static (faster start-up,
        // docs/PERFORMANCE.md); bridge keeps libmnl.so.0 (Debian ships no libmnl.a).
        // All three: argv captured at start-up instead of the runtime's /proc/self/maps search (Sources/CArgv).
        .target(name: "CArgv"),
        .executableTarget(
            name: "host-local", dependencies: ["HostLocalPlugin", "CArgv"], swiftSettings: swiftSettings,
            linkerSettings: fullyStaticInRelease),
        // bridge is dynamic (libmnl.so.0); it binds libm lazily (CLazyLibm, see scripts/common.sh build_release).
        .target(name: "CLazyLibm", cSettings: [.unsafeFlags(["-fno-builtin"])]),
        // Our _dl_find_object for the static unwinder: the bridge needs glibc 2.34, not 2.35 (dl_find_object.c).
        .target(name: "CDlFindObject"),
        // -no-pie only here: the static executables have no PIE to turn off (clang warns the flag is unused).
        .executableTarget(
            name: "bridge", dependencies: ["BridgePlugin", "CLazyLibm", "CArgv", "CDlFindObject"],
            swiftSettings: swiftSettings,
            linkerSettings: [.unsafeFlags(["-Xclang-linker", "-no-pie"], .when(configuration: .release))]),
        .executableTarget(
            name: "flannel", dependencies: ["FlannelPlugin", "CArgv"], swiftSettings: swiftSettings,
            linkerSettings: fullyStaticInRelease),
        // The install image's installer (scripts/release.sh), fully static: the image has no libc or shell.
        .executableTarget(
            name: "cni-install", dependencies: ["Posix", "CArgv"], swiftSettings: swiftSettings,
            linkerSettings: fullyStaticInRelease),

        // Parser fuzz targets (docs/DEVELOPING.md, fuzzing): libFuzzer entry points when scripts/fuzz.sh builds it with
        // -sanitize=fuzzer -D FUZZING; otherwise a runner of corpus files through the same checks.
        .executableTarget(
            name: "cni-fuzz", dependencies: ["BridgePlugin", "FlannelPlugin", "HostLocalPlugin", "Netlink"],
            swiftSettings: swiftSettings),

        .target(
            name: "TestSupport", dependencies: ["Posix", "JSON", "CNI", "Delegate", "Firewall"],
            swiftSettings: swiftSettings),
        .testTarget(name: "LazyLibmTests", dependencies: ["CLazyLibm"], swiftSettings: swiftSettings),
        .testTarget(name: "DlFindObjectTests", dependencies: ["CDlFindObject"], swiftSettings: swiftSettings),
        .testTarget(name: "PosixTests", dependencies: ["Posix", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "AddressingTests", dependencies: ["Addressing"], swiftSettings: swiftSettings),
        .testTarget(name: "JSONTests", dependencies: ["JSON", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CNITests", dependencies: ["CNI", "TestSupport"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "DelegateTests", dependencies: ["Delegate", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "NetlinkTests", dependencies: ["Netlink", "NetNS", "TestSupport"], exclude: ["Fixtures"],
            swiftSettings: swiftSettings),
        .testTarget(name: "IPAMTests", dependencies: ["IPAM", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "HostLocalPluginTests", dependencies: ["HostLocalPlugin", "TestSupport"], exclude: ["Fixtures"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "FirewallTests", dependencies: ["Firewall", "TestSupport"], exclude: ["Fixtures"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "BridgePluginTests", dependencies: ["BridgePlugin", "Firewall", "Netlink", "NetNS", "TestSupport"],
            exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(
            name: "FlannelPluginTests", dependencies: ["FlannelPlugin", "TestSupport"], exclude: ["Fixtures"],
            swiftSettings: swiftSettings)
    ]
)
