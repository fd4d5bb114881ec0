"""SBD not enabled at boot on a host that is configured for it.

## What it checks

A host that uses SBD (it sets `SBD_DEVICE`, or the cluster has an SBD
fence resource or relies on `stonith-watchdog-timeout`) and whose boot
configuration sanlint can see (systemd `*.wants/`/`*.requires/` links or
SysV `rc?.d` links, read as PCMK109 reads them), where no link enables
`sbd`.

## Why it matters

sbd.service is `RequiredBy=pacemaker.service`: `systemctl enable sbd`
creates `pacemaker.service.requires/sbd.service`, and only then does the
daemon start with the cluster (it refuses manual starts:
`RefuseManualStart=true`).  Without it the node runs Pacemaker with no
sbd watching the disk or the watchdog: another node's `fence_sbd` writes
the poison pill, waits `msgwait` and reports the node fenced, while it
keeps running its resources; watchdog self-fencing never happens.

## Example

```sbd path=etc/sysconfig/sbd
SBD_DEVICE=/dev/disk/by-id/scsi-SBD-A
SBD_PACEMAKER=yes
```

```text path=etc/systemd/system/multi-user.target.wants/pacemaker.service
```

## Use instead

```sbd path=etc/sysconfig/sbd
SBD_DEVICE=/dev/disk/by-id/scsi-SBD-A
SBD_PACEMAKER=yes
```

```text path=etc/systemd/system/multi-user.target.wants/pacemaker.service
```

```text path=etc/systemd/system/pacemaker.service.requires/sbd.service
```

## Fix safety

No automatic fix: run `systemctl enable sbd` on the host (it takes effect
with the next start of the cluster stack).

## Source

ClusterLabs sbd `src/sbd.service.in` (`RequiredBy=pacemaker.service`,
`RefuseManualStart=true`), sbd(8) ("make sure ... all cluster nodes are
running the daemon").
"""

from __future__ import annotations

from sanlint.rule import Rule
from sanlint_rules.sbd._common import sbd_of, sbd_resources, uses_watchdog_fencing


class NotEnabledAtBoot(Rule):
    code = "SBD103"
    name = "sbd-not-enabled-at-boot"
    severity = "error"
    reads = ("sbd", "cluster", "files")

    def check(self, ctx):
        site = ctx.site
        cluster_uses = bool(sbd_resources(site)) or any(uses_watchdog_fencing(c) for c in site.all_clusters())
        for h in site.hosts.values():
            if not h.boot_services:
                continue  # boot configuration not collected: nothing to say
            cfg = sbd_of(h)
            if not ((cfg is not None and cfg.devices) or (cluster_uses and (cfg is not None or h.corosync))):
                continue
            if any(b.name == "sbd" for b in h.boot_services):
                continue
            why = "sets SBD_DEVICE" if cfg is not None and cfg.devices else "is a node of a cluster that fences through SBD"
            span = (cfg.get("SBD_DEVICE") or cfg).span if cfg is not None else h.boot_services[0].span
            yield self.finding(
                f"{h.name or 'this host'} {why} but sbd is not enabled at boot (no pacemaker.service.requires/sbd.service "
                f"or other sbd link): the node runs the cluster with no sbd watching, so a poison pill is reported "
                f"delivered while the node keeps running",
                span, identity=f"host {h.name} / sbd at boot")
