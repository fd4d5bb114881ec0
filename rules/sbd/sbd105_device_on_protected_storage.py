"""SBD device on the storage it protects: a DRBD device, an LV on DRBD, or a LUN this cluster exports.

## What it checks

An SBD device (a host's `SBD_DEVICE` entry or a `fence_sbd` resource's
`devices`) that is storage this cluster replicates or exports.  What
counts:

* a DRBD device (`/dev/drbdN`, `/dev/drbd/by-res/...`, any `device` of
  the `.res` files);
* an LV (`/dev/VG/LV`, `/dev/mapper/VG-LV`) of a VG that lives on DRBD
  (its metadata backup, or a cluster LVM resource, as LVM101 tells);
* a LUN this cluster exports: an iSCSI path
  `/dev/disk/by-path/ip-ADDR:PORT-iscsi-IQN-lun-N` whose IQN is a target
  of the site (ietd/tgt/LIO configuration or an `iSCSITarget` resource),
  or the backing path of one of its LUNs.

## Why it matters

Fencing must not depend on the storage it protects.  A DRBD device is
writable only on the Primary, and its contents follow the replication:
the Secondary cannot read the poison pill at all, and when the Primary
is the node to fence, the device (or the VG on it) is exactly what the
cluster is failing over.  A LUN exported by this cluster exists only
while the cluster runs its target: when the target node fails, every
node loses its SBD disk at once, and with SBD_PACEMAKER each resets
itself, taking the whole SAN down.  SBD needs a disk outside the cluster
(a small LUN of another array or of a separate target).

## Example

```sbd path=etc/sysconfig/sbd
SBD_DEVICE=/dev/drbd1
SBD_PACEMAKER=yes
```

```drbd path=etc/drbd.d/sbd.res
resource sbd {
  device /dev/drbd1;
  disk /dev/sdc1;
  meta-disk internal;
  on san-1 { address 10.0.2.1:7790; }
  on san-2 { address 10.0.2.2:7790; }
}
```

## Use instead

```sbd path=etc/sysconfig/sbd
SBD_DEVICE=/dev/disk/by-id/scsi-36001405a1b2c3d4e5f60718293a4b5c6
SBD_PACEMAKER=yes
```

```drbd path=etc/drbd.d/data.res
resource data {
  device /dev/drbd1;
  disk /dev/sdc1;
  meta-disk internal;
  on san-1 { address 10.0.2.1:7790; }
  on san-2 { address 10.0.2.2:7790; }
}
```

## Fix safety

No automatic fix: SBD needs a separate shared disk, initialised with
`sbd -d DEV create` and named on every node.

## Source

sbd(8) (SBD exchanges messages "via shared block storage"; the device
must be reachable from every node at all times, a node that loses the
majority of its devices self-fences with Pacemaker integration); ClusterLabs
sbd `src/sbd-inquisitor.c` (servant quorum over the devices); LINBIT DRBD
User's Guide (a Secondary refuses all I/O on the DRBD device); SUSE Linux
Enterprise High Availability guide, SBD requirements (a dedicated shared
disk, not host-based RAID, LVM or DRBD).
"""

from __future__ import annotations

import re

from sanlint.rule import Rule
from sanlint.views import drbd_device_paths, is_drbd_device, lv_of_path, vgs_on_drbd
from sanlint_rules.sbd._common import sbd_of, sbd_resources

_BY_PATH_ISCSI = re.compile(r"^/dev/disk/by-path/(?:ip|iscsi)-.+?-iscsi-(iqn\.[^/]+?|eui\.[^/]+?|naa\.[^/]+?)-lun-(\d+)(?:-part\d+)?$")


def exported_targets(site) -> set[str]:
    names: set[str] = set()
    for h in site.hosts.values():
        for t in h.targets:
            names.add(t.name.lower())
    for c in site.all_clusters():
        for p in c.primitives():
            if c.agent_of(p) == "ocf:heartbeat:iSCSITarget":
                iqn = p.params_dict().get("iqn")
                if iqn:
                    names.add(iqn.lower())
    return names


def lun_paths(site) -> set[str]:
    paths: set[str] = set()
    for h in site.hosts.values():
        for t in h.targets:
            paths.update(lun.path for lun in t.luns if lun.path)
    for c in site.all_clusters():
        for p in c.primitives():
            if c.agent_of(p) == "ocf:heartbeat:iSCSILogicalUnit":
                path = p.params_dict().get("path")
                if path:
                    paths.add(path)
    return paths


def protected(site, path: str) -> str | None:
    """Why `path` is storage this cluster protects, or None."""
    if is_drbd_device(path, site) or path in drbd_device_paths(site):
        return "a DRBD device of this cluster"
    lv = lv_of_path(path)
    if lv is not None and lv[0] in vgs_on_drbd(site):
        return f"an LV of VG {lv[0]}, which lives on DRBD"
    m = _BY_PATH_ISCSI.match(path)
    if m and m.group(1).lower() in exported_targets(site):
        return f"LUN {m.group(2)} of {m.group(1)}, a target this cluster exports"
    if path in lun_paths(site):
        return "the backing device of a LUN this cluster exports"
    return None


class DeviceOnProtectedStorage(Rule):
    code = "SBD105"
    name = "sbd-device-on-protected-storage"
    severity = "error"
    reads = ("sbd", "drbd", "lvm", "iscsi", "cluster")

    def check(self, ctx):
        site = ctx.site
        for h in site.hosts.values():
            cfg = sbd_of(h)
            for d in cfg.devices if cfg else []:
                why = protected(site, d.path)
                if why:
                    yield self.finding(
                        f"SBD device {d.path} on {h.name or 'this host'} is {why}: fencing then depends on the storage "
                        f"it protects (the device fails over with the cluster, and losing it resets every node)",
                        d.span, identity=f"sbd / SBD_DEVICE / {d.path}")
        for c, p in sbd_resources(site):
            pair = p.param("devices")
            for path in [x.strip() for x in re.split(r"[,;]", (pair.value or "") if pair else "") if x.strip()]:
                why = protected(site, path)
                if why:
                    yield self.finding(
                        f"fence resource {p.id} uses SBD device {path}, which is {why}: fencing then depends on the "
                        f"storage it protects",
                        pair.span, identity=f"primitive {p.id} / devices / {path}")
