"""The benchmarks' one timing client (bench-chain.sh, bench-host-local.sh, bench-bridge-driver.py).

A plugin is started the way a runtime starts it: posix_spawn with only the CNI_* variables given, the config on
stdin, stdout and stderr read to the end; the time is spawn -> exit on the monotonic clock, so no shell or env(1)
start is counted for either implementation. Imported (`sys.path` gets scripts/), not run.
"""
import os
import time


class Call:
    """One plugin run: wall time (ms), stdout, stderr, exit code, peak RSS (KiB, from wait4: the process and the
    children it waited for; see bench-bridge.sh for why the published RSS figures come from GNU time instead)."""

    def __init__(self, ms, out, err, code, maxrss_kib):
        self.ms, self.out, self.err, self.code, self.maxrss_kib = ms, out, err, code, maxrss_kib


def spawn(binary, env, config):
    """Runs `binary` with exactly `env` and `config` (bytes) on stdin; returns a Call."""
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    start = time.perf_counter()
    pid = os.posix_spawn(binary, [binary], env, file_actions=[
        (os.POSIX_SPAWN_DUP2, in_r, 0), (os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, err_w, 2),
        (os.POSIX_SPAWN_CLOSE, in_w), (os.POSIX_SPAWN_CLOSE, out_r), (os.POSIX_SPAWN_CLOSE, err_r)])
    for fd in (in_r, out_w, err_w):
        os.close(fd)
    os.write(in_w, config)
    os.close(in_w)
    out = b""
    while chunk := os.read(out_r, 65536):
        out += chunk
    err = os.read(err_r, 65536)
    os.close(out_r)
    os.close(err_r)
    _, status, usage = os.wait4(pid, 0)
    elapsed = (time.perf_counter() - start) * 1000
    return Call(elapsed, out, err, os.waitstatus_to_exitcode(status), usage.ru_maxrss)


def run(label, binary, env, config):
    """`spawn`, and exits the benchmark with the plugin's output when it fails (a failed call is no measurement)."""
    call = spawn(binary, env, config)
    if call.code != 0:
        raise SystemExit(f"{label} failed (exit {call.code}): {call.out.decode()} {call.err.decode()}")
    return call
