"""SBD devices without an SBD fence resource, or an SBD fence resource without SBD devices.

## What it checks

A host sets `SBD_DEVICE` while the cluster has no SBD fence resource, or
the cluster has one while a node sets no `SBD_DEVICE`.  In detail:

* a host sets `SBD_DEVICE` but no cluster configuration of the site has a
  `stonith:fence_sbd` or `stonith:external/sbd` resource;
* the cluster has such a resource but a host whose cluster configuration
  was collected (it has a corosync.conf) sets no `SBD_DEVICE`.  A
  `fence_sbd` resource that names its own `devices` is fenced through
  those, but the target still needs its sbd daemon watching them.

Only when the site has both sides (a cluster configuration, and host
roots with corosync.conf).

## Why it matters

Disk-based SBD fences by writing a "poison pill" into the victim's slot;
only a fence resource of an SBD agent writes it.  Devices without such a
resource leave the disk set up but unused for fencing: Pacemaker either
has no fence device at all or fences through something else the admin did
not intend.  The reverse is worse: `fence_sbd` writes the pill, waits
`msgwait` and reports success, but a node with no sbd daemon watching the
disk never reads it and keeps running its resources while the survivor
takes them over (two Primaries, a corrupted file system on the LUNs).

## Example

```sbd path=etc/sysconfig/sbd
SBD_DEVICE=/dev/disk/by-id/scsi-SBD-A
SBD_PACEMAKER=yes
```

```crm path=@cluster.crm
node san-1
node san-2
primitive fence-ipmi stonith:fence_ipmilan params ip=10.0.1.1 username=admin password=secret pcmk_host_list=san-1 op monitor interval=60s
property stonith-enabled=true
```

## Use instead

```sbd path=etc/sysconfig/sbd
SBD_DEVICE=/dev/disk/by-id/scsi-SBD-A
SBD_PACEMAKER=yes
```

```crm path=@cluster.crm
node san-1
node san-2
primitive fence-sbd stonith:fence_sbd params devices=/dev/disk/by-id/scsi-SBD-A pcmk_delay_max=30s op monitor interval=600s
property stonith-enabled=true stonith-timeout=90s
```

## Fix safety

No automatic fix: adding a fence resource (or configuring SBD on a node)
needs the device initialised with `sbd create` and the daemon enabled on
every node.

## Source

sbd(8) "Pacemaker CIB integration / Fencing resource" ("Pacemaker can
only interact with SBD to issue a node fence if there is a configured
fencing resource") and "Make sure that /etc/sysconfig/sbd is identical on
all cluster nodes, and that all cluster nodes are running the daemon";
fence-agents `agents/sbd/fence_sbd.py`; crmsh `crmsh/sbd.py`
(`SBDUtils.is_using_disk_based_sbd`).
"""

from __future__ import annotations

from sanlint.rule import Rule
from sanlint_rules.sbd._common import sbd_of, sbd_resources


class DevicesWithoutFenceResource(Rule):
    code = "SBD102"
    name = "sbd-devices-without-fence-resource"
    severity = "error"
    reads = ("sbd", "cluster")

    def check(self, ctx):
        site = ctx.site
        if not site.all_clusters():
            return
        resources = sbd_resources(site)
        for h in site.hosts.values():
            cfg = sbd_of(h)
            where = h.name or "this host"
            if cfg is not None and cfg.devices and not resources:
                s = cfg.get("SBD_DEVICE")
                yield self.finding(
                    f"{where} sets SBD_DEVICE ({'; '.join(d.path for d in cfg.devices)}) but the cluster has no "
                    f"fence_sbd or external/sbd resource: nothing writes the poison pill, the SBD disk is not "
                    f"used for fencing",
                    s.span if s else cfg.span, identity="sbd / SBD_DEVICE / no fence resource")
            if resources and h.name and h.corosync and (cfg is None or not cfg.devices):
                c, p = resources[0]
                yield self.finding(
                    f"cluster resource {p.id} ({c.agent_of(p)}) fences through SBD but {where} sets no SBD_DEVICE"
                    f"{'' if cfg else ' (no /etc/sysconfig/sbd or /etc/default/sbd)'}: the poison pill is "
                    f"reported delivered after msgwait while {where} never reads it and keeps running",
                    p.id_span or p.span, identity=f"primitive {p.id} / sbd devices on {h.name}")
