"""SBD msgwait shorter than twice the watchdog timeout on the device (`sbd dump`).

## What it checks

The header of each SBD device as `sbd -d DEV dump` printed it on a node
(collected in the host root at `sos_commands/sbd/`): `Timeout (msgwait)`
below twice `Timeout (watchdog)`.

## Why it matters

msgwait is how long the fencing node waits after writing the poison pill
before it declares the victim dead.  The victim reads the pill and resets
itself, or, if it cannot read the disk or its sbd hangs, its watchdog
resets it after the watchdog timeout.  Only when msgwait covers that
(sbd(8): "This should be twice the watchdog timeout") is the node
certainly gone when fencing is reported done; shorter, the survivors take
over the DRBD Primary and the iSCSI target while the victim may still be
writing.  The header is on the disk, not in /etc/sysconfig/sbd (sbd's
template: "watchdog timeout set in the on-disk metadata takes
precedence"), so only the dump shows it.

## Example

```sbd path=etc/sysconfig/sbd
SBD_DEVICE=/dev/disk/by-id/scsi-SBD-A
SBD_PACEMAKER=yes
SBD_WATCHDOG_TIMEOUT=15
```

```text path=sos_commands/sbd/sbd_-d_.dev.disk.by-id.scsi-SBD-A_dump
==Dumping header on disk /dev/disk/by-id/scsi-SBD-A
Header version     : 2.1
UUID               : 3b46e4a2-1f3b-4e55-9d0f-6a1f7e3c2b10
Number of slots    : 255
Sector size        : 512
Timeout (watchdog) : 15
Timeout (allocate) : 2
Timeout (loop)     : 1
Timeout (msgwait)  : 20
==Header on disk /dev/disk/by-id/scsi-SBD-A is dumped
```

## Use instead

```sbd path=etc/sysconfig/sbd
SBD_DEVICE=/dev/disk/by-id/scsi-SBD-A
SBD_PACEMAKER=yes
SBD_WATCHDOG_TIMEOUT=15
```

```text path=sos_commands/sbd/sbd_-d_.dev.disk.by-id.scsi-SBD-A_dump
==Dumping header on disk /dev/disk/by-id/scsi-SBD-A
Header version     : 2.1
UUID               : 3b46e4a2-1f3b-4e55-9d0f-6a1f7e3c2b10
Number of slots    : 255
Sector size        : 512
Timeout (watchdog) : 15
Timeout (allocate) : 2
Timeout (loop)     : 1
Timeout (msgwait)  : 30
==Header on disk /dev/disk/by-id/scsi-SBD-A is dumped
```

## Fix safety

No automatic fix: the header is rewritten with `sbd -d DEV -1 WATCHDOG
-4 MSGWAIT create` with the cluster stopped (it clears the slots), and
`stonith-timeout` must then cover the new msgwait (PCMK122).

## Source

sbd(8) `-4` ("Set msgwait timeout ... This should be twice the watchdog
timeout") and `dump`; ClusterLabs sbd `src/sbd-md.c` (`header_dump`),
`src/sbd.sysconfig`; crmsh `crmsh/sbd.py` (`get_sbd_metadata_expected`:
msgwait >= 2 × watchdog); SUSE Trento 68626E (SBD msgwait timeout).
"""

from __future__ import annotations

from sanlint.rule import Rule


class MsgwaitShort(Rule):
    code = "SBD107"
    name = "sbd-msgwait-short"
    severity = "error"
    reads = ("sbd",)

    def check(self, ctx):
        for h in ctx.site.hosts.values():
            for d in h.sbd_dumps:
                if d.msgwait is None or d.watchdog is None or d.msgwait >= 2 * d.watchdog:
                    continue
                yield self.finding(
                    f"SBD device {d.device} (dump on {h.name or 'this host'}) has msgwait {d.msgwait}s, less than "
                    f"twice its watchdog timeout {d.watchdog}s: fencing is reported done before a node whose sbd "
                    f"hangs has been reset by its watchdog",
                    d.msgwait_span or d.span, identity=f"sbd device {d.device} / msgwait")
