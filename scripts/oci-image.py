#!/usr/bin/env python3
"""Assembles a one-layer OCI image archive (oci-layout tar) from a root file system directory, offline.

Used for the release's install image (scripts/release.sh) and the busybox images of the runtime tests: no
registry, no builder daemon. The archive loads with `podman load -i`, `ctr images import` and `skopeo`.
Reproducible: entries sorted, owned by root, mtimes set to SOURCE_DATE_EPOCH (default 0), gzip without a
timestamp, so the same rootfs gives the same digests.

usage: oci-image.py --rootfs DIR --name REF --output FILE [--entrypoint JSON] [--cmd JSON]
                    [--env K=V]... [--workdir DIR] [--label K=V]...
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile
import time


def layer_tar(rootfs, mtime):
    """The rootfs as an uncompressed tar: sorted, root-owned, fixed mtimes; symlinks kept as links."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        entries = []
        for dirpath, dirnames, filenames in os.walk(rootfs):
            dirnames.sort()
            for name in sorted(dirnames + filenames):
                entries.append(os.path.join(dirpath, name))
        for path in sorted(entries, key=lambda p: os.path.relpath(p, rootfs)):
            info = tar.gettarinfo(path, arcname=os.path.relpath(path, rootfs))
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mtime = mtime
            info.pax_headers = {}
            if info.isreg():
                with open(path, "rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
    return buf.getvalue()


def blob(out, data, media_type):
    """Adds a content-addressed blob to the archive and returns its descriptor."""
    digest = hashlib.sha256(data).hexdigest()
    add_file(out, "blobs/sha256/" + digest, data)
    return {"mediaType": media_type, "digest": "sha256:" + digest, "size": len(data)}


def add_file(out, name, data, mtime=0):
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o644, mtime
    out.addfile(info, io.BytesIO(data))


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rootfs", required=True)
    p.add_argument("--name", required=True, help="image reference, e.g. localhost/swift-cni-plugins:1.0.0")
    p.add_argument("--output", required=True)
    p.add_argument("--entrypoint", type=json.loads, default=None, help='JSON list, e.g. ["/install-cni"]')
    p.add_argument("--cmd", type=json.loads, default=None, help="JSON list")
    p.add_argument("--env", action="append", default=[])
    p.add_argument("--workdir", default="/")
    p.add_argument("--label", action="append", default=[])
    p.add_argument("--arch", default="amd64")
    a = p.parse_args()
    if not os.path.isdir(a.rootfs):
        sys.exit(f"oci-image.py: {a.rootfs}: not a directory")
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))

    raw = layer_tar(a.rootfs, epoch)
    compressed = gzip.compress(raw, compresslevel=9, mtime=0)
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
    config = {"Env": a.env or ["PATH=/bin"], "WorkingDir": a.workdir}
    if a.entrypoint is not None:
        config["Entrypoint"] = a.entrypoint
    if a.cmd is not None:
        config["Cmd"] = a.cmd
    if a.label:
        config["Labels"] = dict(kv.split("=", 1) for kv in a.label)
    image_config = {
        "architecture": a.arch, "os": "linux", "created": created, "config": config,
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]},
        "history": [{"created": created, "created_by": "scripts/oci-image.py"}],
    }
    tmp = a.output + ".tmp"
    with tarfile.open(tmp, mode="w", format=tarfile.PAX_FORMAT) as out:
        add_file(out, "oci-layout", canonical({"imageLayoutVersion": "1.0.0"}))
        layer = blob(out, compressed, "application/vnd.oci.image.layer.v1.tar+gzip")
        cfg = blob(out, canonical(image_config), "application/vnd.oci.image.config.v1+json")
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": cfg, "layers": [layer]}
        desc = blob(out, canonical(manifest), "application/vnd.oci.image.manifest.v1+json")
        # ref.name carries the full reference (podman, skopeo); containerd reads its own annotation.
        desc["annotations"] = {"org.opencontainers.image.ref.name": a.name, "io.containerd.image.name": a.name}
        add_file(out, "index.json", canonical({
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [desc]}))
    os.replace(tmp, a.output)
    print(a.output)


if __name__ == "__main__":
    main()
