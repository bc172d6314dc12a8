#!/usr/bin/env python3
"""A minimal CRI (runtime.v1) client for the containerd e2e: the pod-sandbox calls kubelet makes.

No generated code and no .proto file: the few messages needed are encoded and decoded by hand from the field
numbers of CRI's api.proto (kubernetes/cri-api, pkg/apis/runtime/v1/api.proto) and sent as raw bytes over
grpcio. Test tooling only.

usage: cri-client.py --address unix:///path/containerd.sock COMMAND [args]
  version                               runtime name, version and CRI API version
  status                                RuntimeReady / NetworkReady conditions (exit 1 unless both are true)
  runp --name N [--uid U] [--namespace NS] [--port HOST:CONTAINER[/udp]]... [--cgroup-parent P] [--log-dir D]
       [--count C]                      RunPodSandbox; prints the sandbox id (C sandboxes: N-1..N-C, ports +i)
  inspectp ID                           PodSandboxStatus (verbose) as JSON: id, state, ip, additional_ips, pid, netns
  stopp ID... / rmp ID...               StopPodSandbox / RemovePodSandbox
  lsp                                   ListPodSandbox: one "id state name" line per sandbox
"""
import argparse
import json
import sys

import grpc

SERVICE = "/runtime.v1.RuntimeService/"
VARINT, LEN = 0, 2


# --- protobuf wire format: just what these messages use (varints and length-delimited fields) ---

def varint(n):
    n &= (1 << 64) - 1  # negative int32/int64 are sent as 10-byte two's complement
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(num, value):
    """One field: int/bool as a varint, str/bytes as length-delimited (bytes = an encoded sub-message).
    Default values (0, False, "", b"") are left out, as proto3 does."""
    if value is None or value is False or value == 0 or value == "" or value == b"":
        return b""
    if isinstance(value, bool) or isinstance(value, int):
        return varint(num << 3 | VARINT) + varint(int(value))
    data = value.encode() if isinstance(value, str) else value
    return varint(num << 3 | LEN) + varint(len(data)) + data


def message(*fields):
    """fields: (number, value) pairs; a list value is a repeated field."""
    out = b""
    for num, value in fields:
        for v in (value if isinstance(value, list) else [value]):
            out += field(num, v)
    return out


def map_entries(num, mapping):
    """A map<string,string> field: repeated entries {key = 1, value = 2}; empty entries are still sent."""
    return b"".join(varint(num << 3 | LEN) + varint(len(e)) + e
                    for e in (message((1, k), (2, v)) for k, v in mapping.items()))


def decode(data):
    """Bytes -> {field number: [values]} (varints as int, length-delimited as bytes)."""
    out, i = {}, 0
    while i < len(data):
        key, i = read_varint(data, i)
        num, wire = key >> 3, key & 7
        if wire == VARINT:
            value, i = read_varint(data, i)
        elif wire == LEN:
            n, i = read_varint(data, i)
            value, i = data[i:i + n], i + n
        elif wire == 1:
            value, i = data[i:i + 8], i + 8
        elif wire == 5:
            value, i = data[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported wire type {wire} for field {num}")
        out.setdefault(num, []).append(value)
    return out


def read_varint(data, i):
    n = shift = 0
    while True:
        b = data[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def first(fields, num, default=None):
    return fields.get(num, [default])[0]


def text(fields, num):
    return first(fields, num, b"").decode()


def decode_map(entries):
    out = {}
    for e in entries:
        f = decode(e)
        out[text(f, 1)] = text(f, 2)
    return out


# --- RuntimeService calls ---

def call(channel, method, request, timeout):
    return channel.unary_unary(SERVICE + method)(request, timeout=timeout)


def cmd_version(ch, a):
    # VersionRequest{version = 1}; VersionResponse{version = 1, runtime_name = 2, runtime_version = 3,
    # runtime_api_version = 4}
    r = decode(call(ch, "Version", message((1, "v1")), a.timeout))
    print(f"{text(r, 2)} {text(r, 3)} (CRI {text(r, 4)})")


def cmd_status(ch, a):
    # StatusRequest{verbose = 1}; StatusResponse{status = 1 RuntimeStatus{conditions = 1 RuntimeCondition{
    # type = 1, status = 2, reason = 3, message = 4}}}
    r = decode(call(ch, "Status", b"", a.timeout))
    ready = {}
    for c in decode(first(r, 1, b"")).get(1, []):
        c = decode(c)
        ready[text(c, 1)] = bool(first(c, 2, 0))
        print(f"{text(c, 1)}={str(ready[text(c, 1)]).lower()} {text(c, 3)} {text(c, 4)}".rstrip())
    sys.exit(0 if ready.get("RuntimeReady") and ready.get("NetworkReady") else 1)


def cmd_runp(ch, a):
    """One sandbox, or --count N of them (names NAME-1..N, host ports shifted by 1..N), one id per line."""
    for i in range(1, a.count + 1) if a.count else [0]:
        print(run_pod_sandbox(ch, a, f"{a.name}-{i}" if i else a.name, i), flush=True)


def run_pod_sandbox(ch, a, name, shift):
    # PodSandboxMetadata{name = 1, uid = 2, namespace = 3, attempt = 4}
    metadata = message((1, name), (2, a.uid or name + "-uid"), (3, a.namespace), (4, a.attempt))
    ports = []
    for spec in a.port:
        # PortMapping{protocol = 1 (TCP 0, UDP 1, SCTP 2), container_port = 2, host_port = 3, host_ip = 4}
        spec, _, proto = spec.partition("/")
        host, _, container = spec.partition(":")
        ports.append(message((1, {"": 0, "tcp": 0, "udp": 1, "sctp": 2}[proto.lower()]),
                             (2, int(container)), (3, int(host) + shift), (4, a.host_ip)))
    # LinuxPodSandboxConfig{cgroup_parent = 1, security_context = 2, sysctls = 3}
    linux = message((1, a.cgroup_parent))
    # PodSandboxConfig{metadata = 1, hostname = 2, log_directory = 3, dns_config = 4, port_mappings = 5,
    # labels = 6, annotations = 7, linux = 8}
    config = (message((1, metadata), (2, a.hostname or name), (3, a.log_dir), (5, ports))
              + map_entries(6, {"e2e": "containerd"}) + message((8, linux)))
    # RunPodSandboxRequest{config = 1, runtime_handler = 2}; RunPodSandboxResponse{pod_sandbox_id = 1}
    r = decode(call(ch, "RunPodSandbox", message((1, config)), a.timeout))
    return text(r, 1)


def cmd_inspectp(ch, a):
    # PodSandboxStatusRequest{pod_sandbox_id = 1, verbose = 2}
    # PodSandboxStatusResponse{status = 1, info = 2 (map)}
    # PodSandboxStatus{id = 1, metadata = 2, state = 3 (READY 0, NOTREADY 1), network = 5}
    # PodSandboxNetworkStatus{ip = 1, additional_ips = 2 PodIP{ip = 1}}
    r = decode(call(ch, "PodSandboxStatus", message((1, a.id), (2, True)), a.timeout))
    status = decode(first(r, 1, b""))
    network = decode(first(status, 5, b""))
    info = decode_map(r.get(2, []))
    out = {"id": text(status, 1), "name": text(decode(first(status, 2, b"")), 1),
           "state": ["SANDBOX_READY", "SANDBOX_NOTREADY"][first(status, 3, 0)],
           "ip": text(network, 1), "additional_ips": [text(decode(p), 1) for p in network.get(2, [])]}
    # containerd's verbose info: {"info": "<JSON with pid and the sandbox's runtime spec>"}
    if "info" in info:
        detail = json.loads(info["info"])
        out["pid"] = detail.get("pid", 0)
        namespaces = ((detail.get("runtimeSpec") or {}).get("linux") or {}).get("namespaces") or []
        out["netns"] = next((n.get("path", "") for n in namespaces if n.get("type") == "network"), "")
    print(json.dumps(out))


def cmd_stopp(ch, a):
    # StopPodSandboxRequest{pod_sandbox_id = 1}
    for i in a.id:
        call(ch, "StopPodSandbox", message((1, i)), a.timeout)


def cmd_rmp(ch, a):
    # RemovePodSandboxRequest{pod_sandbox_id = 1}
    for i in a.id:
        call(ch, "RemovePodSandbox", message((1, i)), a.timeout)


def cmd_lsp(ch, a):
    # ListPodSandboxRequest{filter = 1}; ListPodSandboxResponse{items = 1 PodSandbox{id = 1, metadata = 2,
    # state = 3}}
    r = decode(call(ch, "ListPodSandbox", b"", a.timeout))
    for item in r.get(1, []):
        p = decode(item)
        state = ["SANDBOX_READY", "SANDBOX_NOTREADY"][first(p, 3, 0)]
        print(text(p, 1), state, text(decode(first(p, 2, b"")), 1))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--address", required=True, help="unix:///path/to/containerd.sock")
    p.add_argument("--timeout", type=float, default=60)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("version").set_defaults(run=cmd_version)
    sub.add_parser("status").set_defaults(run=cmd_status)
    r = sub.add_parser("runp")
    r.set_defaults(run=cmd_runp)
    r.add_argument("--name", required=True)
    r.add_argument("--uid", default="")
    r.add_argument("--namespace", default="default")
    r.add_argument("--attempt", type=int, default=0)
    r.add_argument("--hostname", default="")
    r.add_argument("--log-dir", default="")
    r.add_argument("--cgroup-parent", default="")
    r.add_argument("--port", action="append", default=[], help="HOST:CONTAINER[/tcp|udp|sctp]")
    r.add_argument("--host-ip", default="")
    r.add_argument("--count", type=int, default=0, help="N sandboxes NAME-1..N, host ports +1..+N")
    s = sub.add_parser("inspectp")
    s.set_defaults(run=cmd_inspectp)
    s.add_argument("id")
    for name, run in (("stopp", cmd_stopp), ("rmp", cmd_rmp)):
        s = sub.add_parser(name)
        s.set_defaults(run=run)
        s.add_argument("id", nargs="+")
    sub.add_parser("lsp").set_defaults(run=cmd_lsp)
    a = p.parse_args()
    with grpc.insecure_channel(a.address) as channel:
        try:
            a.run(channel, a)
        except grpc.RpcError as e:
            sys.exit(f"cri-client: {a.command}: {e.code().name}: {e.details()}")


if __name__ == "__main__":
    main()
