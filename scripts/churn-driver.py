#!/usr/bin/env python3
"""Churn driver for scripts/churn.sh (run it through that script: it builds, creates the node namespace and cleans
up). Per round, PARALLEL slots run at once on one node, each a short random mix of ADDs and DELs:
  - slots 0 mod 4: pods through flannel -> bridge (ours) -> host-local (ours);
  - slots 1 mod 4: pods through flannel -> bridge (ours) -> host-local (Go, /usr/lib/cni/host-local);
  - slots 2 and 3 mod 4: direct host-local ADDs, by ours and by Go's;
all on the same IPAM data directory and network; every DEL picks ours or Go's host-local at random, so one
implementation often releases what the other reserved. After every round: every call succeeded, no address is held
twice, the reservation files are exactly the live attachments (nothing lost, nothing leaked), the lock is free, the
flannel files, veths and masquerade chains are exactly those of the live pods, no plugin process is left. At the end
everything is deleted and nothing may remain.

usage: churn-driver.py --node NS --work DIR --bin DIR --go DIR --parallel N --rounds R --seed S --prefix P
"""
import argparse, collections, concurrent.futures, ipaddress, json, os, random, re, subprocess, sys, time

sys.dont_write_bytecode = True
from node_tools import enter_netns, flannel_node, is_ip, sh  # noqa: E402  (scripts/node_tools.py)


class Node:
    def __init__(self, args):
        self.args, self.work = args, args.work
        self.flannel_dir = f"{self.work}/flannel"
        self.ipam_dir = f"{self.work}/ipam/cbr0"
        # Two CNI_PATHs: our bridge with our host-local, our bridge with Go's host-local.
        self.paths = {}
        for impl, host_local in (("swift", f"{args.bin}/host-local"), ("go", f"{args.go}/host-local")):
            d = f"{self.work}/cni-{impl}"
            os.makedirs(d, exist_ok=True)
            for name, target in (("bridge", f"{args.bin}/bridge"), ("host-local", host_local)):
                if not os.path.islink(f"{d}/{name}"):
                    os.symlink(target, f"{d}/{name}")
            self.paths[impl] = d
        self.host_local = {"swift": f"{args.bin}/host-local", "go": f"{args.go}/host-local"}
        self.flannel_config = flannel_node(self.work, self.flannel_dir)
        # The range flannel's delegate gets (FLANNEL_SUBNET), same network name: one directory, one lock.
        self.ipam_config = json.dumps({
            "cniVersion": "1.0.0", "name": "cbr0", "type": "bridge",
            "ipam": {"type": "host-local", "dataDir": f"{self.work}/ipam", "ranges": [[{"subnet": "10.244.1.0/24"}]]}
        }).encode()
        self.pods = []
        for i in range(args.parallel):
            if i % 4 < 2:
                name = f"{args.prefix}-p{i}"
                sh("ip", "netns", "add", name)
                sh("ip", "-n", name, "link", "set", "lo", "up")
                self.pods.append(name)
            else:
                self.pods.append(None)

    def remove_pods(self):
        for name in self.pods:
            if name:
                sh("ip", "netns", "del", name, check=False)

    def call(self, slot, command, cid, impl):
        """One plugin call as a runtime makes it; returns (exit code, stdout, stderr)."""
        env = {"CNI_COMMAND": command, "CNI_CONTAINERID": cid, "CNI_IFNAME": "eth0",
               "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
        if self.pods[slot]:
            env.update(CNI_NETNS="/run/netns/" + self.pods[slot], CNI_PATH=self.paths[impl])
            program, config = f"{self.args.bin}/flannel", self.flannel_config
        else:
            env.update(CNI_NETNS="/run/netns/none", CNI_PATH=self.paths[impl])
            program, config = self.host_local[impl], self.ipam_config
        r = subprocess.run([program], env=env, input=config, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")


def run_slot(node, slot, ops, live, round_no):
    """Runs one slot's operations in order; returns (failures, ops done)."""
    failures, done = [], 0
    for k, op in enumerate(ops):
        # Slots alternate the implementation that ADDs; a DEL picks one at random (cross releases).
        if op == "ADD":
            impl = "swift" if slot % 2 == 0 else "go"
            cid = f"{node.args.prefix}-s{slot}-r{round_no}-{k}"
            code, out, err = node.call(slot, "ADD", cid, impl)
            done += 1
            if code != 0:
                failures.append(f"slot {slot} ADD {cid} ({impl} host-local) failed: {out.strip()} {err.strip()}")
                continue
            ips = [i["address"].split("/")[0] for i in json.loads(out).get("ips", [])]
            live[slot] = (cid, ips)
        elif slot in live:  # (not when its ADD failed: that failure is reported)
            cid, _ = live[slot]
            impl = random.Random(f"{node.args.seed}:{round_no}:{slot}:{k}").choice(["swift", "go"])
            code, out, err = node.call(slot, "DEL", cid, impl)
            done += 1
            if code != 0:
                failures.append(f"slot {slot} DEL {cid} ({impl} host-local) failed: {out.strip()} {err.strip()}")
                continue
            del live[slot]
    return failures, done


def plan(rng, is_live):
    if is_live:
        return rng.choice([["DEL"], ["DEL", "ADD"], [], ["DEL", "ADD", "DEL"]])
    return rng.choice([["ADD"], ["ADD", "DEL"], ["ADD", "DEL", "ADD"]])


def check(node, live, label):
    problems = []
    expected = {}
    for slot, (cid, ips) in sorted(live.items()):
        if len(ips) != 1:
            problems.append(f"{cid} got {ips}")
        for ip in ips:
            if ip in expected:
                problems.append(f"address {ip} handed to {expected[ip]} and {cid}")
            expected[ip] = cid
    on_disk = {}
    for name in os.listdir(node.ipam_dir):
        path = f"{node.ipam_dir}/{name}"
        if is_ip(name):
            with open(path, "rb") as f:
                data = f.read()
            m = re.fullmatch(rb"([A-Za-z0-9][A-Za-z0-9_.\-]*)\r\neth0", data)
            if not m:
                problems.append(f"reservation {name} is not a complete record: {data!r}")
                continue
            on_disk[name] = m.group(1).decode()
        elif name not in ("lock", "boot_id") and not name.startswith("last_reserved_ip."):
            problems.append(f"unexpected file {name} in the IPAM directory")
    for ip in sorted(set(expected) | set(on_disk), key=ipaddress.ip_address):
        if expected.get(ip) != on_disk.get(ip):
            problems.append(f"{ip}: live attachment {expected.get(ip)}, reservation file {on_disk.get(ip)}")
    if subprocess.run(["flock", "-n", f"{node.ipam_dir}/lock", "true"]).returncode != 0:
        problems.append("the IPAM lock is still held")
    chain_cids = {cid for slot, (cid, _) in live.items() if node.pods[slot]}
    stored = set(os.listdir(node.flannel_dir)) if os.path.isdir(node.flannel_dir) else set()
    if stored != chain_cids:
        problems.append(f"flannel files {sorted(stored - chain_cids)} without a pod, "
                        f"pods {sorted(chain_cids - stored)} without a file")
    for name in stored & chain_cids:
        with open(f"{node.flannel_dir}/{name}", "rb") as f:
            try:
                json.loads(f.read())
            except ValueError as e:
                problems.append(f"flannel file {name} does not parse: {e}")
    veths = len(sh("ip", "-o", "link", "show", "type", "veth").splitlines())
    if veths != len(chain_cids):
        problems.append(f"{veths} veths on the node for {len(chain_cids)} live pods")
    nat = sh("iptables-save", "-t", "nat")
    chains = len([l for l in nat.splitlines() if l.startswith(":CNI-")])
    if chains != len(chain_cids):
        problems.append(f"{chains} masquerade chains for {len(chain_cids)} live pods")
    if [l for l in sh("ip6tables-save", "-t", "nat").splitlines() if "CNI-" in l]:
        problems.append("ip6tables has CNI- rules")
    for slot, (cid, ips) in live.items():
        if node.pods[slot]:
            addr = sh("ip", "-n", node.pods[slot], "-o", "-4", "addr", "show", "dev", "eth0", check=False)
            if f" {ips[0]}/" not in addr:
                problems.append(f"pod {cid} has no {ips[0]} on eth0: {addr.strip()}")
    stray = []
    marker = f"CNI_CONTAINERID={node.args.prefix}-".encode()
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/environ", "rb") as f:
                    if marker in f.read():
                        stray.append(p)
            except OSError:
                pass
    if stray:
        problems.append(f"plugin processes left: {stray}")
    return [f"{label}: {p}" for p in problems]


def main():
    p = argparse.ArgumentParser()
    for opt in ("--node", "--work", "--bin", "--go", "--seed", "--prefix"):
        p.add_argument(opt, required=True)
    p.add_argument("--parallel", type=int, default=128)
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args()
    if not 4 <= args.parallel <= 250:
        raise SystemExit("--parallel must be 4..250 (the /24 has 253 addresses)")
    enter_netns(args.node)
    rng = random.Random(args.seed)
    node = Node(args)
    live, failures, ops = {}, [], collections.Counter()
    started = time.monotonic()
    try:
        for r in range(args.rounds + 1):
            final = r == args.rounds
            plans = {s: (["DEL"] if s in live else []) if final else plan(rng, s in live) for s in range(args.parallel)}
            t0 = time.monotonic()
            with concurrent.futures.ThreadPoolExecutor(max_workers=args.parallel) as pool:
                futures = [pool.submit(run_slot, node, s, plans[s], live, r) for s in range(args.parallel)]
                for fut in futures:
                    errs, done = fut.result()
                    failures += errs
                    ops["calls"] += done
            wall = time.monotonic() - t0
            label = "final DEL" if final else f"round {r + 1}"
            problems = check(node, live, label)
            failures += problems
            calls = sum(len(v) for v in plans.values())
            print(f"{label}: {calls} calls in {wall:.2f} s, {len(live)} attachments live "
                  f"({sum(1 for s in live if node.pods[s])} pods), {len(problems)} problems", flush=True)
        if live:
            failures.append(f"attachments left after the final DEL: {sorted(c for c, _ in live.values())}")
        print(f"{args.rounds} rounds x {args.parallel} parallel slots (seed {args.seed}): {ops['calls']} calls in "
              f"{time.monotonic() - started:.1f} s; failures: {len(failures)}")
        for f in failures[:50]:
            print("  FAIL " + f)
        return 1 if failures else 0
    finally:
        node.remove_pods()


if __name__ == "__main__":
    sys.exit(main())
