'''tgt LUN 0: an `iSCSILogicalUnit` with `implementation=tgt` uses `lun=0`.

## What it checks

Every `ocf:heartbeat:iSCSILogicalUnit` whose `implementation` (its own, or
its `iSCSITarget`'s) is `tgt` and whose `lun` is 0.

## Why it matters

tgt reserves LUN 0 of every target for its controller device (tgt-admin
never puts a backing store on LUN 0).  The agent's validation refuses it
("Invalid LUN 0 (must be greater than 0)", OCF_ERR_CONFIGURED): Pacemaker
treats that as a fatal configuration error, stops the resource everywhere
and never retries, so the LUN stays down.

## Example

```crm path=@cluster.crm
primitive p_target ocf:heartbeat:iSCSITarget params iqn="iqn.2014-02.santnet.sante:target1" implementation=tgt tid=1
primitive p_lu0 ocf:heartbeat:iSCSILogicalUnit params target_iqn="iqn.2014-02.santnet.sante:target1" implementation=tgt lun=0 path=/dev/vgsan/lun0
group g_iscsi p_target p_lu0
```

## Use instead

```crm path=@cluster.crm
primitive p_target ocf:heartbeat:iSCSITarget params iqn="iqn.2014-02.santnet.sante:target1" implementation=tgt tid=1
primitive p_lu1 ocf:heartbeat:iSCSILogicalUnit params target_iqn="iqn.2014-02.santnet.sante:target1" implementation=tgt lun=1 path=/dev/vgsan/lun0
group g_iscsi p_target p_lu1
```

## Fix safety

Unsafe: the fix sets `lun` to the lowest number from 1 up that no other LU
of the same target uses.  Initiators then see the disk under another LUN
number (and a new device path), so multipath maps, udev rules and fstab
entries on the initiators may need updating.

## Source

resource-agents `heartbeat/iSCSILogicalUnit.in` (validate: "tgt reserves
LUN 0 for its own purposes", `lun -ge 1`); tgt `scripts/tgt-admin` (LUNs of
backing stores start at 1); targets.conf(5).
'''

from sanlint.rule import Edit, Fix, Rule
from sanlint_rules.iscsi import _common as C


class TgtLunZero(Rule):
    code = "ISCSI112"
    name = "tgt-lun-zero"
    severity = "error"
    reads = ("cluster",)
    fix = "unsafe"

    def check(self, ctx):
        for t in C.all_targets(ctx.site):
            if t.primitive is None:
                continue
            for lun in t.luns:
                if lun.number != 0 or C.lu_implementation(lun.primitive, t) != "tgt":
                    continue
                span = C.value_span(lun.primitive, "lun") or lun.primitive.span
                used = {x.number for x in t.luns}
                free = next(n for n in range(1, len(used) + 2) if n not in used)
                yield self.finding(
                    f"iSCSILogicalUnit {lun.primitive.id} uses lun=0 with implementation=tgt: tgt keeps LUN 0 for "
                    "its controller and the agent refuses to start it",
                    span,
                    identity=f"iscsi cluster {lun.primitive.id} / lun",
                    fix=Fix([Edit.replace(span, str(free))], f"use lun={free}", safe=False))
        # LUs whose target is missing are ISCSI110's; an explicit implementation=tgt still counts
        seen = {id(lun.primitive) for t in C.all_targets(ctx.site) for lun in t.luns if lun.primitive is not None}
        for c, lu in C.cluster_primitives(ctx.site, C.LU_AGENT):
            if id(lu) in seen or C.param(lu, "implementation") != "tgt" or C.param(lu, "lun") != "0":
                continue
            span = C.value_span(lu, "lun") or lu.span
            yield self.finding(
                f"iSCSILogicalUnit {lu.id} uses lun=0 with implementation=tgt: tgt keeps LUN 0 for its controller "
                "and the agent refuses to start it",
                span, identity=f"iscsi cluster {lu.id} / lun",
                fix=Fix([Edit.replace(span, "1")], "use lun=1", safe=False))
