"""Fence race: a two-node cluster with fencing but no delay against a fence race.

## What it checks

A two-node cluster with STONITH enabled and fence devices, where no
`priority-fencing-delay` cluster property is set and no fence device has a
non-zero `pcmk_delay_max` or `pcmk_delay_base`, nor a non-zero `delay`
parameter of the fence agent itself (fence-agents sleep that long before
acting, which gives the other node's device the head start just as
`pcmk_delay_base` does).  (`fence_sbd` on its own does not prevent the
race either.)

## Why it matters

When the link between two nodes breaks, each node sees the other as failed
and both fire their fence device at the same moment: with IPMI both can
succeed and the cluster powers itself off entirely; the SAN is down until
somebody powers the nodes on.  A random delay on one device
(`pcmk_delay_max`), a fixed delay on one node's device (`pcmk_delay_base`)
or `priority-fencing-delay` (favour the node running the promoted DRBD)
lets one node win.

## Example

```crm path=@cluster.crm
node san-1
node san-2
primitive fence-san-1 stonith:fence_ipmilan params ip=10.0.1.1 username=admin password=secret pcmk_host_list=san-1 op monitor interval=60s
primitive fence-san-2 stonith:fence_ipmilan params ip=10.0.1.2 username=admin password=secret pcmk_host_list=san-2 op monitor interval=60s
property stonith-enabled=true
```

## Use instead

```crm path=@cluster.crm
node san-1
node san-2
primitive fence-san-1 stonith:fence_ipmilan params ip=10.0.1.1 username=admin password=secret pcmk_host_list=san-1 pcmk_delay_max=15s op monitor interval=60s
primitive fence-san-2 stonith:fence_ipmilan params ip=10.0.1.2 username=admin password=secret pcmk_host_list=san-2 op monitor interval=60s
property stonith-enabled=true
```

## Fix safety

No automatic fix: which node should win (and how long to wait) is a
policy decision.

## Source

Pacemaker Explained, fencing device options `pcmk_delay_max` /
`pcmk_delay_base` and the `priority-fencing-delay` cluster option (2.0.4+);
fence-agents `lib/fencing.py` (`delay`: "Wait X seconds before fencing is
started");
SUSE Trento check 0AA227; ClusterLabs "Fencing and fence races".
"""

from __future__ import annotations

from sanlint.rule import Rule
from sanlint_rules.pcmk._common import duration_ms, is_false, two_node


class FenceRace(Rule):
    code = "PCMK121"
    name = "fence-race"
    severity = "warning"
    reads = ("cluster",)

    def check(self, ctx):
        for c in ctx.site.all_clusters():
            enabled = c.property("fencing-enabled") or c.property("stonith-enabled")
            if enabled is not None and is_false(enabled.value):
                continue
            devices = [p for p in c.primitives() if c.agent_of(p).startswith("stonith:")]
            if not devices or not two_node(ctx.site, c):
                continue
            pfd = c.property("priority-fencing-delay")
            if pfd is not None and (duration_ms(pfd.value) or 0) > 0:
                continue
            delayed = False
            for d in devices:
                params = d.params_dict()
                if any((duration_ms(params.get(k)) or 0) > 0 for k in ("pcmk_delay_max", "pcmk_delay_base", "delay")):
                    delayed = True
                    break
            if delayed:
                continue
            yield self.finding(
                f"two-node cluster with fence devices ({', '.join(d.id for d in devices)}) but no fence delay: on a "
                f"split both nodes may fence each other at once (set pcmk_delay_max on one device or "
                f"priority-fencing-delay)",
                devices[0].id_span or devices[0].span, identity=f"cluster {c.span.path} / fence race")
