"""SBD's Pacemaker integration turned off (`SBD_PACEMAKER`).

## What it checks

A host's SBD configuration where the Pacemaker integration is off as sbd
decides it: `SBD_PACEMAKER` set to anything Pacemaker's `crm_is_true`
does not accept as true (`no`, `false`, `0`, but also a typo such as
`enabled`), or an even number of `-P` flags in `SBD_OPTS` (each `-P`
toggles it; command-line options win over the variable).

## Why it matters

With the integration on, sbd watches the local Pacemaker and corosync and
lets the watchdog reset the node when it loses quorum or the cluster
stack hangs; that is what makes a node that cannot be reached fence
itself.  Off, sbd only watches its disks: a node cut off from the others
keeps running its resources while the survivors, after `msgwait`, take
them over. Diskless (watchdog-only) SBD does nothing at all without it.

## Example

```sbd path=etc/sysconfig/sbd
SBD_DEVICE=/dev/disk/by-id/scsi-SBD-A
SBD_PACEMAKER=no
```

## Use instead

```sbd path=etc/sysconfig/sbd
SBD_DEVICE=/dev/disk/by-id/scsi-SBD-A
SBD_PACEMAKER=yes
```

## Fix safety

Unsafe fix: set `SBD_PACEMAKER=yes` (effective at the next start of the
cluster stack on that node; from then on a node that loses quorum resets
itself).  Not offered when `SBD_OPTS` decides it.

## Source

ClusterLabs sbd `src/sbd-inquisitor.c` (`SBD_PACEMAKER` read with
`crm_is_true`, `-P` counted by `arg_enabled`, "It's recommended to only
use SBD_PACEMAKER"), `src/sbd.sysconfig` ("Whether to enable the
pacemaker integration", default yes), sbd(8).
"""

from __future__ import annotations

from sanlint.rule import Edit, Fix, Rule
from sanlint_rules.sbd._common import pacemaker_integration, sbd_of


class PacemakerIntegrationOff(Rule):
    code = "SBD104"
    name = "sbd-pacemaker-integration-off"
    severity = "warning"
    reads = ("sbd",)
    fix = "unsafe"

    def check(self, ctx):
        for h in ctx.site.hosts.values():
            cfg = sbd_of(h)
            if cfg is None:
                continue
            enabled, why = pacemaker_integration(cfg)
            if enabled:
                continue
            fix = None
            if why.startswith("SBD_PACEMAKER"):
                s = cfg.get("SBD_PACEMAKER")
                span = s.span
                if s.value_span is not None:
                    fix = Fix([Edit.replace(s.value_span, "yes")], "set SBD_PACEMAKER=yes", safe=False)
            else:
                span = cfg.get("SBD_OPTS").span
            yield self.finding(
                f"sbd on {h.name or 'this host'} runs without Pacemaker integration ({why}): a node that loses "
                f"quorum or whose cluster stack hangs is not reset by its watchdog and keeps running its resources",
                span, identity="sbd / SBD_PACEMAKER", fix=fix)
