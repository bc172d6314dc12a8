#!/usr/bin/env python3
"""Benchmark driver for scripts/bench-bridge.sh. Runs inside a throw-away host network namespace and drives two
bridge implementations (each with its own host-local, bridge, subnet and data dir) the way a runtime does:
CNI_* variables only, config on stdin. The implementations alternate call by call, so noise from other work on the
machine hits both alike. Prints one JSON summary per implementation on stdout.

usage: driver.py SEQUENTIAL PARALLEL FILL CYCLES  name:bridge:cni_path:data_dir:bridge_name:subnet ...
"""
import concurrent.futures, json, os, sys, time

sys.dont_write_bytecode = True  # no __pycache__ in scripts/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_client  # noqa: E402  (the benchmarks' one timing client)

SEQUENTIAL, PARALLEL, FILL, CYCLES = (int(x) for x in sys.argv[1:5])
IMPLS = []
for spec in sys.argv[5:]:
    name, bridge, cni_path, data_dir, bridge_name, subnet = spec.split(":")
    config = json.dumps({
        "cniVersion": "0.3.1", "name": "bench" + name, "type": "bridge", "bridge": bridge_name, "isGateway": True,
        "isDefaultGateway": True, "hairpinMode": True, "mtu": 1450, "ipMasq": False,
        "ipam": {"type": "host-local", "dataDir": data_dir, "ranges": [[{"subnet": subnet}]],
                 "routes": [{"dst": "10.0.0.0/8"}]},
    }).encode()
    IMPLS.append({"name": name, "bridge": bridge, "cni_path": cni_path, "config": config, "rss": 0, "pods": []})


def netns(impl, label):
    name = f"bb-{impl['name']}-{label}-{os.getpid()}"
    os.spawnvp(os.P_WAIT, "ip", ["ip", "netns", "add", name])
    impl["pods"].append(name)
    return "/run/netns/" + name


def plugin(impl, command, pod, cid):
    """One call through the timing client: wall time in ms and stdout; keeps the child's peak RSS (with its IPAM)."""
    env = {"CNI_COMMAND": command, "CNI_CONTAINERID": cid, "CNI_NETNS": pod, "CNI_IFNAME": "eth0",
           "CNI_PATH": impl["cni_path"], "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    call = bench_client.run(f"{impl['name']} {command} {cid}", impl["bridge"], env, impl["config"])
    impl["rss"] = max(impl["rss"], call.maxrss_kib)
    return call.ms, call.out


def each(label, fn):
    """Runs fn(impl) for every implementation, alternating, and stores the result under label."""
    for impl in IMPLS:
        impl.setdefault(label, []).append(fn(impl))


stats = {impl["name"]: {} for impl in IMPLS}
def record(key, per_impl):
    for impl in IMPLS:
        stats[impl["name"]][key] = per_impl(impl)

try:
    # 1. sequential: ADD each pod, then DEL each pod.
    seq = {impl["name"]: [(netns(impl, f"s{i}"), f"s{i}") for i in range(SEQUENTIAL)] for impl in IMPLS}
    adds = {impl["name"]: [] for impl in IMPLS}; dels = {impl["name"]: [] for impl in IMPLS}
    for i in range(SEQUENTIAL):
        for impl in IMPLS:
            adds[impl["name"]].append(plugin(impl, "ADD", *seq[impl["name"]][i])[0])
    for i in range(SEQUENTIAL):
        for impl in IMPLS:
            dels[impl["name"]].append(plugin(impl, "DEL", *seq[impl["name"]][i])[0])
    record("seq_add", lambda impl: adds[impl["name"]]); record("seq_del", lambda impl: dels[impl["name"]])

    # 2. parallel: PARALLEL ADDs at once (then DELs), one implementation at a time.
    for impl in IMPLS:
        pods = [(netns(impl, f"p{i}"), f"p{i}") for i in range(PARALLEL)]
        with concurrent.futures.ThreadPoolExecutor(PARALLEL) as pool:
            start = time.perf_counter()
            results = list(pool.map(lambda pc: plugin(impl, "ADD", *pc), pods))
            s = stats[impl["name"]]
            s["par_add_wall"] = (time.perf_counter() - start) * 1000
            addresses = [json.loads(out)["ips"][0]["address"] for _, out in results]
            s["par_add"] = [t for t, _ in results]
            s["par_distinct"] = len(set(addresses)) == len(addresses) == PARALLEL
            start = time.perf_counter()
            s["par_del"] = [t for t, _ in pool.map(lambda pc: plugin(impl, "DEL", *pc), pods)]
            s["par_del_wall"] = (time.perf_counter() - start) * 1000

    # 3. occupancy: ADD (+DEL) of one probe pod on an empty bridge vs with FILL pods attached.
    probes = {impl["name"]: netns(impl, "probe") for impl in IMPLS}
    def cycles(key):
        for i in range(CYCLES):
            for impl in IMPLS:
                t, _ = plugin(impl, "ADD", probes[impl["name"]], f"{key}{i}")
                plugin(impl, "DEL", probes[impl["name"]], f"{key}{i}")
                stats[impl["name"]].setdefault(key, []).append(t)
    cycles("first_add")
    fill = {impl["name"]: [(netns(impl, f"f{i}"), f"f{i}") for i in range(FILL)] for impl in IMPLS}
    for i in range(FILL):
        for impl in IMPLS:
            plugin(impl, "ADD", *fill[impl["name"]][i])
    cycles("loaded_add")
    for i in range(FILL):
        for impl in IMPLS:
            plugin(impl, "DEL", *fill[impl["name"]][i])
    record("peak_rss_kib", lambda impl: impl["rss"])  # replaced by GNU time figures in bench-bridge.sh
finally:
    for impl in IMPLS:
        for name in impl["pods"]:
            os.spawnvp(os.P_WAIT, "ip", ["ip", "netns", "del", name])

print(json.dumps(stats))
