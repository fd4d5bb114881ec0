"""Watchdog-only (diskless) SBD in a two-node cluster without a quorum device.

## What it checks

A two-node cluster whose fencing is the nodes' watchdogs
(`stonith-watchdog-timeout` set to a non-zero value) while no host sets
`SBD_DEVICE` and corosync has no `quorum { device { } }` (qdevice).

A two-node cluster needs one of: disk SBD, a qdevice, or `two_node: 1`
with a real fence device and a fence delay.  The last one is PCMK102's and
PCMK121's business; this rule covers the case where diskless SBD is meant
to do the fencing.

## Why it matters

Diskless SBD fences by self-fencing: a node that loses quorum lets its
watchdog reset it, and the others wait `stonith-watchdog-timeout` and then
consider it dead.  With two nodes and `two_node: 1` both halves of a split
keep quorum, so neither resets and both take over the DRBD Primary role
and the iSCSI target (split brain, diverging data on the LUNs); without
`two_node` neither half has quorum and the whole SAN stops.  Only a third
vote (qdevice) or a shared SBD disk breaks the tie.

## Example

```crm path=@cluster.crm
node san-1
node san-2
property stonith-enabled=true stonith-watchdog-timeout=10s
```

```sbd path=etc/sysconfig/sbd
SBD_PACEMAKER=yes
SBD_WATCHDOG_DEV=/dev/watchdog
SBD_WATCHDOG_TIMEOUT=5
```

## Use instead

```crm path=@cluster.crm
node san-1
node san-2
primitive fence-sbd stonith:fence_sbd params devices=/dev/disk/by-id/scsi-SBD-A pcmk_delay_max=30s op monitor interval=600s
property stonith-enabled=true stonith-timeout=90s
```

```sbd path=etc/sysconfig/sbd
SBD_DEVICE=/dev/disk/by-id/scsi-SBD-A
SBD_PACEMAKER=yes
SBD_WATCHDOG_DEV=/dev/watchdog
SBD_WATCHDOG_TIMEOUT=5
```

## Fix safety

No automatic fix: add a shared SBD disk or a corosync qdevice (a third
machine running corosync-qnetd).

## Source

sbd(8) and `src/sbd-pacemaker.c` (watchdog self-fencing on quorum loss
with SBD_PACEMAKER); Pacemaker Explained, `stonith-watchdog-timeout`
("watchdog-based self-fencing ... requires a quorum");
votequorum(5) `two_node` (both nodes keep quorum on a split);
corosync-qdevice(8).
"""

from __future__ import annotations

from sanlint.rule import Rule
from sanlint_rules.pcmk._common import two_node
from sanlint_rules.sbd._common import has_qdevice, sbd_of, uses_watchdog_fencing


class DisklessTwoNode(Rule):
    code = "SBD106"
    name = "sbd-diskless-two-node"
    severity = "error"
    reads = ("sbd", "cluster", "corosync")

    def check(self, ctx):
        site = ctx.site
        if any((cfg := sbd_of(h)) is not None and cfg.devices for h in site.hosts.values()):
            return
        if has_qdevice(site):
            return
        for c in site.all_clusters():
            if not uses_watchdog_fencing(c) or not two_node(site, c):
                continue
            prop = c.property("stonith-watchdog-timeout")
            yield self.finding(
                f"two-node cluster fenced only by watchdog self-fencing (stonith-watchdog-timeout={prop.value}), "
                f"with no SBD disk and no qdevice: on a split both nodes keep quorum (two_node) or both lose it, "
                f"so neither resets and both may run the DRBD Primary and the iSCSI target",
                prop.span, identity=f"cluster {c.span.path} / diskless sbd two nodes")
