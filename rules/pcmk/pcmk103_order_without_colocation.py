"""Order without colocation: an order constraint whose resources are not colocated.

## What it checks

Every mandatory order constraint between two resources (`order o Mandatory: A B`,
or a numeric or `inf` score) needs a colocation between the same two
resources, in either direction (`colocation c inf: B A`); resources in the
same group are colocated already.  Optional and Serialize orders are not
about placement and are skipped.

Resources held on one node through others count as colocated: a chain of
INFINITY colocations (`A with B`, `B with C` holds A and C together, in
either direction, since with INFINITY `rsc` runs only where `with-rsc`
runs), or both colocated with the Promoted role of the same promotable
clone with one promoted instance (`promoted-max=1`), which runs on one node
only.  Being colocated with a clone that runs on several nodes (no role)
holds nothing together, and finite scores are preferences, not a hold.

## Why it matters

An order only says *when* B starts, not *where*: without the colocation
Pacemaker may start the LVM volume group, the service IP and the iSCSI
target on the node where DRBD is *not* Primary.  Above all, the iSCSI/LVM
stack must be colocated with the DRBD Master/Promoted role: `crm_simulate`
on such a configuration starts the iSCSI group while both DRBD copies are
still unpromoted.

## Example

```crm path=@cluster.crm
primitive drbd_r0 ocf:linbit:drbd params drbd_resource=r0 op monitor interval=29s role=Promoted op monitor interval=31s role=Unpromoted
clone drbd_r0_clone drbd_r0 meta promotable=true promoted-max=1 notify=true
primitive vg ocf:heartbeat:LVM-activate params vgname=vgsan vg_access_mode=system_id op monitor interval=30s timeout=90s
order vg-after-drbd Mandatory: drbd_r0_clone:promote vg:start
```

## Use instead

```crm path=@cluster.crm
primitive drbd_r0 ocf:linbit:drbd params drbd_resource=r0 op monitor interval=29s role=Promoted op monitor interval=31s role=Unpromoted
clone drbd_r0_clone drbd_r0 meta promotable=true promoted-max=1 notify=true
primitive vg ocf:heartbeat:LVM-activate params vgname=vgsan vg_access_mode=system_id op monitor interval=30s timeout=90s
order vg-after-drbd Mandatory: drbd_r0_clone:promote vg:start
colocation vg-with-drbd inf: vg drbd_r0_clone:Promoted
```

## Fix safety

Unsafe (a behaviour change the admin must confirm): the fix adds
`colocation <then>-with-<first> inf: <then> <first>` right after the order,
with the `Master` role (Pacemaker 1.1/2.0) or `Promoted` role (2.1+) when
`<first>` is a promotable clone; in a CIB it adds the matching
`<rsc_colocation>` element.  Resources will then move together.

## Source

Pacemaker Explained, "Resource Constraints" (ordering vs. colocation,
"Colocation Properties": with-rsc is placed first and, at INFINITY, rsc runs
only where with-rsc runs; "Colocation Sets"); ClusterLabs' "Colocation
Explained" (clusterlabs.org/doc/Colocation_Explained.pdf) and
"Promotable clones" (colocating with the promoted role); LINBIT DRBD User's
Guide, "Integrating DRBD with Pacemaker clusters"; `crm_simulate -S` on the
configuration shows the placement.
"""

from __future__ import annotations

from sanlint.edit.cib import attrs, insert_after_element
from sanlint.edit.cluster import syntax
from sanlint.edit.crm import insert_after_statement
from sanlint.edit.ids import cluster_ids
from sanlint.model.cluster import Order
from sanlint.rule import Fix, Rule
from sanlint.views import top_level
from sanlint_rules.pcmk._common import colocation_index, held_together, placement_key, promotable_ids, promoted_name


def together(c, first, then) -> bool:
    """Held on one node through INFINITY colocations, however many resources
    lie between (`held_together`); the order's promote/demote action stands
    for the promoted role of a promotable clone."""
    ka = placement_key(c, first.id, first.role, first.action)
    kb = placement_key(c, then.id, then.role, then.action)
    if ka is None or kb is None:
        return False
    uf = held_together(c)
    return uf.find(ka) == uf.find(kb)


def mandatory(o: Order) -> bool:
    if o.order_kind:
        return o.order_kind.lower() == "mandatory"
    if o.score is None:
        return True
    s = o.score.strip().lower().lstrip("+")
    try:
        return int(s) != 0
    except ValueError:
        return s not in ("advisory",)


class OrderWithoutColocation(Rule):
    code = "PCMK103"
    name = "order-without-colocation"
    severity = "error"
    reads = ("cluster",)
    fix = "unsafe"

    def check(self, ctx):
        version = ctx.site.pacemaker_version
        for c in ctx.site.all_clusters():
            index = None
            ids = None
            proms = promotable_ids(c)
            for o in c.of_kind(Order):
                if o.sets or len(o.resources) != 2 or not mandatory(o):
                    continue
                first, then = o.first, o.then
                if first.id not in c.resources or then.id not in c.resources:
                    continue  # PCMK105
                a, b = top_level(c, first.id), top_level(c, then.id)
                if a == b:
                    continue
                if index is None:
                    index = colocation_index(c)
                if index.get(a, set()) & index.get(b, set()):
                    continue
                if together(c, first, then):
                    continue
                if ids is None:
                    ids = cluster_ids(c)
                role = promoted_name(version) if first.id in proms else None
                new_id = ids.fresh(f"{then.id}-with-{first.id}")
                fix = self._fix(o, new_id, then.id, first.id, role)
                what = f"{first.id}'s {role} role" if role else first.id
                yield self.finding(
                    f"order {o.id} starts {then.id} after {first.id} but no colocation keeps them on the same node: "
                    f"{then.id} may start where {what} is not running",
                    o.span, identity=f"constraint {o.id} / colocation", fix=fix)

    def _fix(self, o, new_id, rsc, with_rsc, role):
        if syntax(o.span) == "cib":
            edit = insert_after_element(o.span, "<rsc_colocation" + attrs([
                ("id", new_id), ("score", "INFINITY"), ("rsc", rsc), ("with-rsc", with_rsc),
                ("with-rsc-role", role)]) + "/>")
        else:
            edit = insert_after_statement(o.span, f"colocation {new_id} inf: {rsc} {with_rsc}{':' + role if role else ''}")
        if edit is None:
            return None
        return Fix([edit], f"add colocation {new_id} ({rsc} with {with_rsc}{' ' + role if role else ''})", safe=False)
