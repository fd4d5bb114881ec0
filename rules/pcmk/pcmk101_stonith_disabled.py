"""STONITH disabled or missing: the cluster cannot fence a failed node.

## What it checks

A cluster configuration with `stonith-enabled=false` (or `fencing-enabled=false`
in Pacemaker 3.0.2+), or with STONITH enabled (the default) while no
`stonith:` fencing resource is defined.

## Why it matters

Pacemaker only recovers shared data safely when it can power off a node it
lost contact with.  Without fencing, a split brain lets both nodes promote
DRBD and activate the VG: both serve the same LUN and the data diverges.
`crm_verify` rejects an enabled-but-missing STONITH setup ("Resource
start-up disabled since no STONITH resources have been defined ... Clusters
with shared data need STONITH"), but it accepts `stonith-enabled=false`
silently: that is the case this rule exists for.

## Example

```crm path=@cluster.crm
node san-1
node san-2
primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 op monitor interval=10s
property stonith-enabled=false
```

## Use instead

```crm path=@cluster.crm
node san-1
node san-2
primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 op monitor interval=10s
primitive fence-san-1 stonith:fence_ipmilan params ip=10.0.1.1 username=admin password=secret pcmk_host_list=san-1 pcmk_delay_max=15s op monitor interval=60s
primitive fence-san-2 stonith:fence_ipmilan params ip=10.0.1.2 username=admin password=secret pcmk_host_list=san-2 op monitor interval=60s
property stonith-enabled=true
```

## Fix safety

No automatic fix: a fence device needs hardware details (IPMI address,
credentials, SBD device) that only the admin knows.

## Source

Pacemaker Explained, "Fencing" and the `stonith-enabled` cluster option;
`lib/pengine/unpack.c` `unpack_resources()` (the "no STONITH resources"
error); ClusterLabs "Clusters from Scratch", "Configure Fencing".
"""

from __future__ import annotations

from sanlint.rule import Rule
from sanlint_rules.pcmk._common import is_false


class StonithDisabled(Rule):
    code = "PCMK101"
    name = "stonith-disabled"
    severity = "error"
    reads = ("cluster",)

    def check(self, ctx):
        for c in ctx.site.all_clusters():
            pair = c.property("fencing-enabled") or c.property("stonith-enabled") or c.property("stonith_enabled")
            if pair is not None and is_false(pair.value):
                yield self.finding(
                    f"{pair.name}={pair.value}: the cluster will never fence a failed node, so a split brain "
                    f"can run the DRBD Primary, the VG and the iSCSI target on both nodes and corrupt the data",
                    pair.span, identity=f"cluster {c.span.path} / property {pair.name}")
                continue
            if not c.resources:
                continue
            if any(c.agent_of(p).startswith("stonith:") for p in c.primitives()):
                continue
            where = pair.span if pair is not None else c.span
            yield self.finding(
                "STONITH is enabled but no fencing resource (stonith:...) is defined: Pacemaker refuses to start "
                "any resource (crm_verify: \"no STONITH resources have been defined\")",
                where, identity=f"cluster {c.span.path} / no fencing resource")
