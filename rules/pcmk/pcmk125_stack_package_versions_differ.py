"""Cluster stack packages differ between nodes: corosync, Pacemaker, DRBD, SBD... are not the same version everywhere.

## What it checks

The installed package lists collected from the hosts (sosreport's
`installed-rpms` or `sos_commands/dpkg/dpkg_-l`): each package of the
SAN stack that two or more hosts have installed must be the same version
on all of them.  The stack: corosync, libknet1/kronosnet, pacemaker and
its libraries and CLI, sbd, drbd-utils and the DRBD kernel module
packages, resource-agents, fence-agents, crmsh, pcs, lvm2, tgt,
targetcli/rtslib.

## Why it matters

Nodes of one cluster exchange the CIB, run each other's resources and
fence each other: a Pacemaker that writes a newer CIB schema, a
resource-agent that takes other parameters, DRBD utilities that speak
another version to the kernel module, or corosync/knet versions with
different defaults turn a failover into the first test of a combination
that never ran.  Rolling upgrades are meant to be short; a difference
found at audit time is usually an upgrade left half done.

## Example

```text path=installed-rpms
corosync-3.1.7-1.el9.x86_64                                 Mon 04 Mar 2024 10:12:01 AM CET
pacemaker-2.1.6-10.el9.x86_64                               Mon 04 Mar 2024 10:12:09 AM CET
```

```text path=san-2:installed-rpms
corosync-3.1.7-1.el9.x86_64                                 Mon 04 Mar 2024 10:14:21 AM CET
pacemaker-2.1.5-5.el9.x86_64                                Wed 05 Jul 2023 02:41:37 PM CEST
```

```text path=etc/hostname
san-1
```

```text path=san-2:etc/hostname
san-2
```

## Use instead

```text path=installed-rpms
corosync-3.1.7-1.el9.x86_64                                 Mon 04 Mar 2024 10:12:01 AM CET
pacemaker-2.1.6-10.el9.x86_64                               Mon 04 Mar 2024 10:12:09 AM CET
```

```text path=san-2:installed-rpms
corosync-3.1.7-1.el9.x86_64                                 Mon 04 Mar 2024 10:14:21 AM CET
pacemaker-2.1.6-10.el9.x86_64                               Mon 04 Mar 2024 10:14:30 AM CET
```

```text path=etc/hostname
san-1
```

```text path=san-2:etc/hostname
san-2
```

## Fix safety

No automatic fix: finish the upgrade (one node at a time, in standby).

## Source

SUSE Trento DF8328 (corosync), 82A031 (pacemaker), 53D33E (sbd) "version
identical on all nodes"; Pacemaker Explained, "Upgrading" (rolling
upgrades: mixed versions only for the duration of the upgrade); LINBIT
DRBD User's Guide (drbd-utils matching the kernel module); sos
`sos/report/plugins/rpm.py` (`installed-rpms`), `dpkg.py` (`dpkg -l`).
"""

from __future__ import annotations

import re
from collections import Counter

from sanlint.rule import Rule

STACK = re.compile(
    r"^(corosync|corosynclib|libcorosync.*|libknet1|kronosnet.*|pacemaker(-.*)?|libpacemaker.*|sbd|drbd-utils|drbd9?-utils|"
    r"kmod-drbd.*|drbd-kmp-.*|drbd-dkms|drbd|resource-agents.*|fence-agents.*|crmsh|pcs|lvm2|tgt|scsi-target-utils|"
    r"targetcli(-fb)?|python3-rtslib(-fb)?)$")


class StackPackageVersionsDiffer(Rule):
    code = "PCMK125"
    name = "stack-package-versions-differ"
    severity = "warning"
    reads = ("live",)

    def check(self, ctx):
        seen: dict[str, list[tuple[object, object]]] = {}
        for h in ctx.site.hosts.values():
            for p in h.packages:
                if STACK.match(p.name):
                    seen.setdefault(p.name, []).append((h, p))
        for name, pairs in sorted(seen.items()):
            counts = Counter(p.version for _, p in pairs)
            if len(counts) < 2:
                continue
            top = max(counts.values())
            majority = next(p.version for _, p in pairs if counts[p.version] == top)
            listing = ", ".join(f"{h.name or '?'}: {p.version}" for h, p in pairs)
            for h, p in pairs:
                if p.version != majority:
                    yield self.finding(
                        f"package {name} is {p.version} on {h.name or 'this host'} but {majority} elsewhere "
                        f"({listing}): the nodes run different versions of the cluster stack",
                        p.span, identity=f"package {name} on {h.name}")
