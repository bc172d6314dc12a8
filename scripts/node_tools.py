"""What the crash and churn drivers (crash-driver.py, churn-driver.py) share: entering the node's network
namespace, running a tool with its error in the exception, telling reservation files from the others, the node's
subnet.env and flannel config. Imported (the drivers' own directory is on `sys.path`), not run.
"""
import ctypes
import ipaddress
import json
import os
import subprocess

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


def enter_netns(name):
    """Moves the calling thread (the whole driver: it is single-threaded here) into /run/netns/<name>."""
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + name)
    finally:
        os.close(fd)


def sh(*args, check=True):
    """Runs a command and returns its stdout; with check, a non-zero exit raises with the command and its stderr."""
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {r.stderr.strip()}")
    return r.stdout


def is_ip(name):
    """True when a file name in host-local's data directory is an address, i.e. a reservation."""
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False


def flannel_node(work, flannel_dir):
    """Writes the node's subnet.env (10.244.1.0/24 of 10.244.0.0/16, FLANNEL_IPMASQ=false: the delegate gets
    ipMasq=true, so every pod gets masquerade rules) under work and returns flannel's config (bytes) for it, IPAM
    data in work/ipam."""
    with open(f"{work}/subnet.env", "w") as f:
        f.write("FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=false\n")
    return json.dumps({
        "cniVersion": "1.0.0", "name": "cbr0", "type": "flannel", "subnetFile": f"{work}/subnet.env",
        "dataDir": flannel_dir, "ipam": {"dataDir": f"{work}/ipam"},
        "delegate": {"hairpinMode": True, "isDefaultGateway": True}}).encode()
