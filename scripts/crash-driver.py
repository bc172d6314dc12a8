#!/usr/bin/env python3
"""Crash-injection driver for scripts/crash.sh (run it through that script: it builds, creates the node namespace
and cleans up). Drives the flannel -> bridge -> host-local chain the way a runtime does (CNI_* variables only, config
on stdin), SIGKILLs one process of the chain (or the whole process group) at a random point of an ADD or a DEL, then
recovers as a runtime does (DEL; a killed DEL is retried twice) and checks that nothing is left: no reservation, no
flannel file (temporary ones included), no veth, no masquerade rule, no plugin process, never a half-written file,
and that the next ADD of the same container succeeds.

usage: crash-driver.py --node NS --work DIR --bin DIR --trials N --seed S [--first K] [--plugin P] [--prefix P]
"""
import argparse, collections, ctypes, ipaddress, json, os, random, re, signal, statistics, subprocess, sys, time

sys.dont_write_bytecode = True
from node_tools import enter_netns, flannel_node, is_ip, libc, sh  # noqa: E402  (scripts/node_tools.py)

PR_SET_CHILD_SUBREAPER = 36
ROLES = ("flannel", "bridge", "host-local")
TARGETS = {"flannel": ["group", "flannel"], "bridge": ["bridge"], "host-local": ["host-local"],
           "all": ["group", "flannel", "bridge", "host-local"]}


def children(pid):
    """Direct children of pid (kernel's /proc/<pid>/task/<tid>/children over all its threads)."""
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(c) for c in f.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        pass
    return out


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except (FileNotFoundError, ProcessLookupError):
        return None


def tree(pid):
    """{role: pid} for the plugin processes in the tree rooted at pid."""
    found, todo = {}, [pid]
    while todo:
        p = todo.pop()
        name = comm(p)
        if name in ROLES and name not in found:
            found[name] = p
        todo += children(p)
    return found


def stray_plugins(marker):
    """Plugin processes anywhere whose environment names one of this run's containers."""
    stray = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/environ", "rb") as f:
                if marker in f.read():
                    stray.append(f"{p}:{comm(int(p))}")
        except OSError:
            pass
    return stray


def reap_orphans(deadline):
    """Waits for the orphans this subreaper adopted (a killed flannel's bridge, ...); False if one outlives deadline."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return True
        if pid == 0:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.002)


class Node:
    def __init__(self, args):
        self.args, self.work = args, args.work
        self.flannel_dir = f"{self.work}/flannel"
        self.ipam_dir = f"{self.work}/ipam/cbr0"
        self.env_base = {"CNI_PATH": f"{self.work}/cni-bin", "CNI_IFNAME": "eth0",
                         "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
        os.makedirs(self.env_base["CNI_PATH"], exist_ok=True)
        for name in ("bridge", "host-local"):
            link = f"{self.work}/cni-bin/{name}"
            if not os.path.islink(link):
                os.symlink(f"{args.bin}/{name}", link)
        self.config = flannel_node(self.work, self.flannel_dir)  # ipMasq on: every pod gets masquerade rules
        self.pods = []

    def pod(self, i):
        while len(self.pods) <= i:
            name = f"{self.args.prefix}-p{len(self.pods)}"
            sh("ip", "netns", "add", name)
            sh("ip", "-n", name, "link", "set", "lo", "up")
            self.pods.append(name)
        return self.pods[i]

    def remove_pods(self):
        for name in self.pods:
            sh("ip", "netns", "del", name, check=False)

    def start(self, command, cid, pod, tag):
        env = dict(self.env_base, CNI_COMMAND=command, CNI_CONTAINERID=cid, CNI_NETNS="/run/netns/" + pod)
        out = open(f"{self.work}/{tag}.out", "w+b")
        err = open(f"{self.work}/{tag}.err", "w+b")
        proc = subprocess.Popen([f"{self.args.bin}/flannel"], env=env, stdin=subprocess.PIPE, stdout=out,
                                stderr=err, start_new_session=True)
        proc.stdin.write(self.config)
        proc.stdin.close()
        return proc, out, err

    def call(self, command, cid, pod, tag):
        """One complete call; (exit code, stdout, stderr, ms)."""
        t0 = time.perf_counter()
        proc, out, err = self.start(command, cid, pod, tag)
        code = proc.wait()
        ms = (time.perf_counter() - t0) * 1000
        out.seek(0), err.seek(0)
        result = (code, out.read().decode(errors="replace"), err.read().decode(errors="replace"), ms)
        out.close(), err.close()
        return result

    # --- state checks ---------------------------------------------------------------------------------------------
    def integrity(self, allow_temporary):
        """Files that are half-written or not expected; temporary files are allowed only before recovery."""
        problems = []
        for name in sorted(os.listdir(self.flannel_dir)) if os.path.isdir(self.flannel_dir) else []:
            path = f"{self.flannel_dir}/{name}"
            if name.startswith(".") and ".tmp." in name:
                if not allow_temporary:
                    problems.append(f"flannel temporary file {name}")
                continue
            try:
                with open(path, "rb") as f:
                    doc = json.loads(f.read())
                if not isinstance(doc, dict) or doc.get("name") != "cbr0" or "ipam" not in doc:
                    problems.append(f"flannel file {name} is not a delegate config: {doc!r:.80}")
            except (ValueError, OSError) as e:
                problems.append(f"flannel file {name} is half-written or unreadable: {e}")
        for name in sorted(os.listdir(self.ipam_dir)) if os.path.isdir(self.ipam_dir) else []:
            path = f"{self.ipam_dir}/{name}"
            with open(path, "rb") as f:
                data = f.read()
            if name == "lock":
                continue
            if name == "boot_id":
                if not re.fullmatch(rb"boot_id [0-9a-f-]+\n", data):
                    problems.append(f"boot_id marker is half-written: {data!r}")
            elif name.startswith("last_reserved_ip."):
                # Overwritten in place, as Go does (docs/GUARANTEES.md): killed between truncate and write it is empty,
                # which only restarts the round-robin. Anything else must be a whole address.
                if data:
                    try:
                        ipaddress.ip_address(data.decode())
                    except ValueError:
                        problems.append(f"{name} is half-written: {data!r}")
            elif is_ip(name):
                if not re.fullmatch(rb"[A-Za-z0-9][A-Za-z0-9_.\-]*\r\neth0", data):
                    problems.append(f"reservation {name} is half-written: {data!r}")
            elif name.startswith(".") and ".tmp." in name:
                if not allow_temporary:
                    problems.append(f"host-local temporary file {name}")
            else:
                problems.append(f"unexpected file {name} in the IPAM directory")
        return problems

    def leftovers(self, cid, pod):
        """Everything a container may have left on the node; empty when clean."""
        problems = self.integrity(allow_temporary=False)
        if os.path.isdir(self.flannel_dir) and os.listdir(self.flannel_dir):
            problems.append(f"flannel files left: {sorted(os.listdir(self.flannel_dir))}")
        reservations = [n for n in os.listdir(self.ipam_dir) if is_ip(n)] if os.path.isdir(self.ipam_dir) else []
        if reservations:
            problems.append(f"reservations left: {reservations}")
        veths = sh("ip", "-o", "link", "show", "type", "veth")
        if veths.strip():
            problems.append("veths left on the node: " + ", ".join(l.split(":")[1].strip() for l in veths.splitlines()))
        if sh("ip", "-n", pod, "-o", "link", "show", "dev", "eth0", check=False).strip():
            problems.append(f"eth0 left in {pod}")
        for tool in ("iptables-save", "ip6tables-save"):
            rules = [l for l in sh(tool, "-t", "nat").splitlines() if "CNI-" in l or cid in l]
            if rules:
                problems.append(f"{tool}: {rules}")
        if cid in sh("nft", "list", "ruleset"):
            problems.append("nft rules name " + cid)
        lock = f"{self.ipam_dir}/lock"
        if os.path.exists(lock) and subprocess.run(["flock", "-n", lock, "true"]).returncode != 0:
            problems.append("the IPAM lock is held")
        return problems

    def snapshot(self, cid):
        """What a killed call left before recovery (which phase the kill hit)."""
        flannel = os.listdir(self.flannel_dir) if os.path.isdir(self.flannel_dir) else []
        stored = cid in flannel
        temporary = any(n.startswith(f".{cid}.tmp.") for n in flannel)
        reserved = False
        if os.path.isdir(self.ipam_dir):
            for n in os.listdir(self.ipam_dir):
                if is_ip(n):
                    try:
                        with open(f"{self.ipam_dir}/{n}", "rb") as f:
                            reserved = reserved or f.read().startswith(cid.encode() + b"\r")
                    except OSError:
                        pass
        return "+".join([k for k, v in (("file", stored), ("tmp", temporary), ("ip", reserved)) if v]) or "nothing"


def lifetimes(node, command, cid, pod):
    """One unkilled call, watched: its duration and when each plugin process was first and last seen (ms)."""
    proc, out, err = node.start(command, cid, pod, "warm")
    t0, seen = time.perf_counter(), {}
    while proc.poll() is None:
        now = (time.perf_counter() - t0) * 1000
        for role in tree(proc.pid):
            seen.setdefault(role, [now, now])[1] = now
        time.sleep(0.0001)
    ms = (time.perf_counter() - t0) * 1000
    out.seek(0), err.seek(0)
    if proc.returncode != 0:
        raise SystemExit(f"warm-up {command} failed: {out.read().decode()} {err.read().decode()}")
    out.close(), err.close()
    return ms, seen


def measure(node, n=5):
    """Unkilled chain calls, watched: median duration of ADD and DEL, and per plugin the median window in which its
    process exists (a targeted kill lands at a random point of that window)."""
    windows = {}
    for command in ("ADD", "DEL"):
        durations, seen = [], collections.defaultdict(list)
        for i in range(n):
            cid = f"{node.args.prefix}-warm{i}"
            if command == "DEL":
                node.call("ADD", cid, node.pod(0), "warm")
            ms, roles = lifetimes(node, command, cid, node.pod(0))
            durations.append(ms)
            for role, window in roles.items():
                seen[role].append(window)
            if command == "ADD":
                node.call("DEL", cid, node.pod(0), "warm")
            left = node.leftovers(cid, node.pod(0))
            if left:
                raise SystemExit(f"warm-up {command} left: {left}")
        windows[command] = {"call": (0.0, statistics.median(durations))}
        for role, ws in seen.items():
            windows[command][role] = (statistics.median(w[0] for w in ws), statistics.median(w[1] for w in ws))
    return windows


def trial(node, index, seed, windows, stats):
    rng = random.Random(f"{seed}:{index}")
    args = node.args
    phase = rng.choice(["ADD", "DEL"])
    target = rng.choice(TARGETS[args.plugin])
    # The group or flannel: a point of the whole call (+20 %). bridge or host-local: a point of the targeted process's
    # measured lifetime (+20 %) after it appears (it starts at a different moment in every call).
    start, end = windows[phase]["call" if target in ("group", "flannel") else target]
    delay = rng.uniform(0, (end - start) * 1.2) / 1000
    cid = f"{args.prefix}-t{index}"
    pod = node.pod(index % 4)
    failures = []
    if phase == "DEL":
        code, out, err, _ = node.call("ADD", cid, pod, "pre")
        if code != 0:
            return [f"ADD before the killed DEL failed: {out} {err}"], "-"
    proc, out, err = node.start(phase, cid, pod, "killed")
    t0 = time.perf_counter()
    if target not in ("group", "flannel"):
        while proc.poll() is None and target not in tree(proc.pid) and time.perf_counter() - t0 < 5:
            time.sleep(0.00005)
    time.sleep(delay)
    alive = tree(proc.pid)
    victim = proc.pid if target == "group" and "flannel" in alive else alive.get(target)
    landed = False
    if victim is not None:
        try:
            if target == "group":
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                os.kill(victim, signal.SIGKILL)
            landed = True
        except ProcessLookupError:
            pass
    code = proc.wait()
    out.close(), err.close()
    state = node.snapshot(cid)
    phase_key = f"{phase} kill {target}: " + ("+".join(r for r in ROLES if r in alive) + " alive" if landed else
                                              "missed (call already over)")
    stats[phase_key][state] += 1
    # Nothing half-written, even with the killed call's orphans still at work.
    failures += node.integrity(allow_temporary=True)
    # Recovery as a runtime does it: a failed ADD is followed by a DEL; a DEL is retried until it succeeds (twice).
    for attempt in range(2 if phase == "DEL" else 1):
        dcode, dout, derr, _ = node.call("DEL", cid, pod, "recover")
        if dcode != 0:
            failures.append(f"recovery DEL #{attempt + 1} failed: {dout} {derr}")
    if not reap_orphans(time.monotonic() + 10):
        stray = ", ".join(stray_plugins(cid.encode()))
        failures.append("a plugin process outlived its killed parent by 10 s: " + stray)
    # An orphan (bridge of a killed flannel) may finish after the runtime's DEL; the runtime's next step for such a
    # pod is its retry, so a leftover here is reported, and a second DEL must then clean it.
    left = node.leftovers(cid, pod)
    if left:
        failures.append("left after recovery: " + "; ".join(left))
        node.call("DEL", cid, pod, "recover")
    stray = stray_plugins(f"CNI_CONTAINERID={cid}\0".encode())
    if stray:
        failures.append(f"plugin processes left: {stray}")
    # The next ADD of the same attachment succeeds, and its DEL leaves nothing.
    acode, aout, aerr, _ = node.call("ADD", cid, pod, "next")
    if acode != 0:
        failures.append(f"next ADD failed: {aout} {aerr}")
    dcode, dout, derr, _ = node.call("DEL", cid, pod, "next")
    if dcode != 0:
        failures.append(f"DEL after the next ADD failed: {dout} {derr}")
    left = node.leftovers(cid, pod)
    if left:
        failures.append("left after the next ADD+DEL: " + "; ".join(left))
    return failures, f"{phase} kill {target} after {delay * 1000:.2f} ms (exit {code})"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--node", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--bin", required=True)
    p.add_argument("--trials", type=int, default=300)
    p.add_argument("--first", type=int, default=0)
    p.add_argument("--seed", required=True)
    p.add_argument("--plugin", default="all", choices=sorted(TARGETS))
    p.add_argument("--prefix", required=True)
    args = p.parse_args()
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl")
    enter_netns(args.node)
    node = Node(args)
    started = time.monotonic()
    try:
        windows = measure(node)
        for command, w in windows.items():
            print(f"unkilled {command} (medians of 5, ms): " +
                  ", ".join(f"{role} {a:.1f}-{b:.1f}" for role, (a, b) in w.items()), flush=True)
        stats = collections.defaultdict(collections.Counter)
        failed = []
        for i in range(args.first, args.first + args.trials):
            failures, what = trial(node, i, args.seed, windows, stats)
            if failures:
                failed.append(i)
                print(f"FAIL trial {i} ({what}); reproduce: scripts/crash.sh --seed {args.seed} --first {i} "
                      f"--trials 1 --plugin {args.plugin}", flush=True)
                for f in failures:
                    print("    " + f, flush=True)
        print(f"{args.trials} trials (seed {args.seed}, plugin {args.plugin}) in {time.monotonic() - started:.1f} s; "
              "kills by phase -> state left before recovery:")
        for key in sorted(stats):
            print(f"  {key:60} {sum(stats[key].values()):4d}  " +
                  ", ".join(f"{k} {v}" for k, v in sorted(stats[key].items())))
        print(f"failures: {len(failed)}" + (f" (trials {failed})" if failed else ""))
        return 1 if failed else 0
    finally:
        node.remove_pods()


if __name__ == "__main__":
    sys.exit(main())
