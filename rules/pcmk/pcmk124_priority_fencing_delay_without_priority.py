"""`priority-fencing-delay` without any resource `priority`: Pacemaker has no tie to break.

## What it checks

A cluster that sets `priority-fencing-delay` to a non-zero value while no
resource (nor `rsc_defaults`) has a positive `priority` meta-attribute.

## Why it matters

Pacemaker delays fencing of the node that runs the most important
resources by `priority-fencing-delay`, and "important" is the sum of the
`priority` meta-attributes of the resources a node runs (a promoted
instance counts one more, but only when the clone's priority is non-zero).
With no priorities every node scores 0: no node is favoured, no delay is
applied, and the property only looks like protection against a fence
race (PCMK121 is silenced by it, the race is not).  In a DRBD SAN give the
promotable DRBD clone (or the group with the iSCSI target) a priority, so
the node serving the LUNs survives a split.

## Example

```crm path=@cluster.crm
node san-1
node san-2
primitive fence-san-1 stonith:fence_ipmilan params ip=10.0.9.1 username=admin password=secret pcmk_host_list=san-1 op monitor interval=60s
primitive fence-san-2 stonith:fence_ipmilan params ip=10.0.9.2 username=admin password=secret pcmk_host_list=san-2 op monitor interval=60s
property stonith-enabled=true priority-fencing-delay=30s
```

## Use instead

```crm path=@cluster.crm
node san-1
node san-2
primitive fence-san-1 stonith:fence_ipmilan params ip=10.0.9.1 username=admin password=secret pcmk_host_list=san-1 op monitor interval=60s
primitive fence-san-2 stonith:fence_ipmilan params ip=10.0.9.2 username=admin password=secret pcmk_host_list=san-2 op monitor interval=60s
primitive drbd-r0 ocf:linbit:drbd params drbd_resource=r0 op monitor interval=29s role=Promoted op monitor interval=31s role=Unpromoted
clone ms-drbd-r0 drbd-r0 meta promotable=true promoted-max=1 notify=true priority=10
property stonith-enabled=true priority-fencing-delay=30s
```

## Fix safety

No automatic fix: which resource should weigh most is the admin's choice.

## Source

Pacemaker Explained, cluster option `priority-fencing-delay` (2.0.4+:
"the node running the resources with the highest combined priority")
and resource meta-attribute `priority`; Pacemaker
`lib/pengine/unpack.c` / `lib/pacemaker/pcmk_sched_*` (node priority =
sum of the priorities of its resources, +1 for a promoted instance with a
non-zero priority); SUSE Trento 0AA227 (priority-fencing-delay).
"""

from __future__ import annotations

from sanlint.rule import Rule
from sanlint_rules.pcmk._common import duration_ms


def _positive(v: str | None) -> bool:
    try:
        return int((v or "").strip().replace("+", "").lower().replace("infinity", "1000000").replace("inf", "1000000")) > 0
    except ValueError:
        return False


class PriorityFencingDelayWithoutPriority(Rule):
    code = "PCMK124"
    name = "priority-fencing-delay-without-priority"
    severity = "warning"
    reads = ("cluster",)

    def check(self, ctx):
        for c in ctx.site.all_clusters():
            pfd = c.property("priority-fencing-delay")
            if pfd is None or not (duration_ms(pfd.value) or 0):
                continue
            if any(_positive(r.meta_value("priority")) for r in c.resources.values()):
                continue
            if any(_positive(p.value) for s in c.rsc_defaults for p in s.pairs if p.name == "priority"):
                continue
            yield self.finding(
                f"priority-fencing-delay={pfd.value} but no resource has a priority: every node weighs 0, so no "
                f"fencing is delayed and a split still ends in a fence race (give the promotable DRBD clone or the "
                f"iSCSI group a priority meta-attribute)",
                pfd.span, identity=f"cluster {c.span.path} / priority-fencing-delay")
