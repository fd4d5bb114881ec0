'''Logical unit without its target: an `iSCSILogicalUnit` names no `iSCSITarget`, or is not ordered and colocated after it.

## What it checks

Every `ocf:heartbeat:iSCSILogicalUnit` primitive: an
`ocf:heartbeat:iSCSITarget` primitive of the same cluster configuration
must have `iqn` equal to its `target_iqn`, and the LU must start after the
target on the same node: both in one group with the target first, or a
mandatory order constraint (target, or a resource containing it, before the
LU or a resource containing it) plus an `INFINITY` colocation between them.

## Why it matters

The agent adds the LUN to an existing target (`ietadm --op new --tid`,
`tgtadm --mode logicalunit`, `targetcli /iscsi/IQN/tpg1/luns create`).
Without the target on that node the start fails ("Target not found") and
Pacemaker keeps retrying, moves the group, or leaves the LUN down; started
in parallel with the target it fails intermittently, usually on failover.

## Example

```crm path=@cluster.crm
primitive p_target ocf:heartbeat:iSCSITarget params iqn="iqn.2014-02.santnet.sante:target1" implementation=lio-t
primitive p_lu1 ocf:heartbeat:iSCSILogicalUnit params target_iqn="iqn.2014-02.santnet.sante:target1" lun=1 path=/dev/vgsan/lun1 implementation=lio-t
```

## Use instead

```crm path=@cluster.crm
primitive p_target ocf:heartbeat:iSCSITarget params iqn="iqn.2014-02.santnet.sante:target1" implementation=lio-t
primitive p_lu1 ocf:heartbeat:iSCSILogicalUnit params target_iqn="iqn.2014-02.santnet.sante:target1" lun=1 path=/dev/vgsan/lun1 implementation=lio-t
group g_iscsi p_target p_lu1
```

## Fix safety

No automatic fix: whether to group the resources or add constraints
depends on the rest of the configuration.

## Source

resource-agents `heartbeat/iSCSILogicalUnit.in` (start needs the target's
tid / configfs directory); Pacemaker Explained, "Groups" (members start in
order and run on one node) and "Resource constraints"; DRBD User's Guide,
iSCSI chapter (group with the target before the LUs).
'''

from sanlint import views
from sanlint.model.cluster import Colocation, Order, canonical_score
from sanlint.rule import Rule
from sanlint_rules.iscsi import _common as C


class LuWithoutTarget(Rule):
    code = "ISCSI110"
    name = "lu-without-target"
    severity = "error"
    reads = ("cluster",)

    def check(self, ctx):
        for c in ctx.site.all_clusters():
            targets = {}
            for p in sorted(c.primitives(), key=lambda p: p.id):  # statement order means nothing to Pacemaker
                if c.agent_of(p) == C.TARGET_AGENT and C.param(p, "iqn"):
                    targets.setdefault(C.param(p, "iqn").lower(), p)
            for lu in c.primitives():
                if c.agent_of(lu) != C.LU_AGENT:
                    continue
                iqn = C.param(lu, "target_iqn")
                span = C.value_span(lu, "target_iqn") or lu.span
                tgt = targets.get((iqn or "").lower())
                if tgt is None:
                    yield self.finding(
                        f"iSCSILogicalUnit {lu.id} names target_iqn {iqn or '(none)'}, which no iSCSITarget resource "
                        "defines: its start fails because the target does not exist",
                        span, identity=f"iscsi cluster {lu.id} / target_iqn")
                    continue
                ordered, colocated = _grouped(c, tgt.id, lu.id)
                ordered = ordered or _ordered(c, tgt.id, lu.id)
                colocated = colocated or _colocated(c, tgt.id, lu.id)
                if ordered and colocated:
                    continue
                missing = " and ".join(w for w, ok in (("ordered after", ordered), ("colocated with", colocated))
                                       if not ok)
                yield self.finding(
                    f"iSCSILogicalUnit {lu.id} is not {missing} its target resource {tgt.id}: it may start before the "
                    "target or on another node and fail",
                    span, identity=f"iscsi cluster {lu.id} / after {tgt.id}")


def _grouped(c, tgt, lu):
    for g in c.groups():
        if tgt in g.children and lu in g.children:
            return g.children.index(tgt) < g.children.index(lu), True
    return False, False


def _contains(c, ref_id, rsc):
    return rsc in views.members(c, ref_id)


def _ordered(c, tgt, lu):
    for o in c.of_kind(Order):
        if (o.order_kind or "").lower() in ("optional", "serialize"):
            continue
        score = canonical_score(o.score)
        if score is not None and (score == "0" or score.startswith("-")):
            continue
        refs = o.resources
        t_idx = [i for i, r in enumerate(refs) if _contains(c, r.id, tgt)]
        l_idx = [i for i, r in enumerate(refs) if _contains(c, r.id, lu)]
        if t_idx and l_idx and min(t_idx) < max(l_idx):
            return True
    return False


def _colocated(c, tgt, lu):
    for col in c.of_kind(Colocation):
        if canonical_score(col.score) not in ("INFINITY", "+INFINITY", None):
            continue
        ids = [r.id for r in col.resources]
        if any(_contains(c, i, tgt) for i in ids) and any(_contains(c, i, lu) for i in ids):
            return True
    return False
