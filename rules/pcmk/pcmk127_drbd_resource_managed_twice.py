"""DRBD resource managed twice: two cluster resources run the drbd agent for the same DRBD resource.

## What it checks

Two clones (master/slave or promotable clones, in practice) of the DRBD
agent (`ocf:linbit:drbd`, `ocf:heartbeat:drbd`, however the agent is
spelled) whose `drbd_resource` names the same DRBD resource, typically
left over from a copy-and-paste or an incomplete rename.

## Why it matters

Each clone promotes and demotes "its" DRBD resource on its own schedule:
one demotes the resource the other has just promoted (with the VG and
the iSCSI target on top), a stop of one takes the device away from the
other, and the monitors of both report each other's actions as
failures.  The cluster then recovers in a loop, and during a failover
the two may promote on different nodes.

## Example

```crm path=@cluster.crm
primitive p_drbd_r0 ocf:linbit:drbd params drbd_resource=r0 op monitor interval=29s role=Promoted op monitor interval=31s role=Unpromoted
clone ms_drbd_r0 p_drbd_r0 meta promotable=true promoted-max=1 notify=true
primitive p_drbd_data ocf:linbit:drbd params drbd_resource=r0 op monitor interval=29s role=Promoted op monitor interval=31s role=Unpromoted
clone ms_drbd_data p_drbd_data meta promotable=true promoted-max=1 notify=true
```

## Use instead

```crm path=@cluster.crm
primitive p_drbd_r0 ocf:linbit:drbd params drbd_resource=r0 op monitor interval=29s role=Promoted op monitor interval=31s role=Unpromoted
clone ms_drbd_r0 p_drbd_r0 meta promotable=true promoted-max=1 notify=true
primitive p_drbd_data ocf:linbit:drbd params drbd_resource=data op monitor interval=29s role=Promoted op monitor interval=31s role=Unpromoted
clone ms_drbd_data p_drbd_data meta promotable=true promoted-max=1 notify=true
```

## Fix safety

No automatic fix: whether the second clone is a leftover to delete or
meant another DRBD resource is the admin's choice.

## Source

drbd-utils `scripts/drbd.ocf` (the agent drives `drbdadm` / `drbdsetup`
for `$OCF_RESKEY_drbd_resource`: promote, demote, stop act on the whole
DRBD resource); LINBIT DRBD User's Guide, "Integrating DRBD with
Pacemaker clusters" (one master/slave resource per DRBD resource).
"""

from __future__ import annotations

from sanlint.model.cluster import Clone
from sanlint.rule import Rule
from sanlint.views import DRBD_AGENTS, top_level


class DrbdResourceManagedTwice(Rule):
    code = "PCMK127"
    name = "drbd-resource-managed-twice"
    severity = "error"
    reads = ("cluster",)

    def check(self, ctx):
        for c in ctx.site.all_clusters():
            by_name: dict[str, list] = {}
            for p in c.primitives():
                if c.agent_of(p) not in DRBD_AGENTS or not isinstance(c.resources.get(top_level(c, p.id)), Clone):
                    continue
                pair = p.param("drbd_resource")
                if pair is not None and pair.value:
                    by_name.setdefault(pair.value.strip(), []).append((p, pair))
            for name, users in sorted(by_name.items()):
                if len(users) < 2:
                    continue
                users.sort(key=lambda u: u[0].id)
                first = users[0][0]
                for p, pair in users[1:]:
                    yield self.finding(
                        f"{top_level(c, p.id)} ({p.id}) and {top_level(c, first.id)} ({first.id}) both manage DRBD "
                        f"resource {name}: each promotes, demotes and stops it on its own, so the cluster fights "
                        f"itself over the device",
                        pair.span, identity=f"resource {p.id} / drbd_resource {name}")
