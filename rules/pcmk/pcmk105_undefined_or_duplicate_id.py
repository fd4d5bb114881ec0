"""Broken ID: a constraint, group or clone references an undefined ID, or an ID is defined twice.

## What it checks

Every resource reference of a constraint (order, colocation, location,
ticket, including resource sets), every group member and every clone or
master child must name a defined resource (or tag); and no ID may be
defined twice in one configuration.

## Why it matters

The CIB schema rejects the whole configuration on a dangling IDREF
(`IDREF attribute then references an unknown ID`), so `crm configure load`
or `cibadmin --replace` fails and the change never reaches the cluster; a
typo in a hand-edited crm file is the usual cause.  A duplicate ID makes
crmsh and cibadmin refuse the update as well.

## Example

```crm path=@cluster.crm
primitive vg ocf:heartbeat:LVM-activate params vgname=vgsan vg_access_mode=system_id op monitor interval=30s timeout=90s
primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 op monitor interval=10s
order vg-before-ip Mandatory: vg ip-iscsi
```

## Use instead

```crm path=@cluster.crm
primitive vg ocf:heartbeat:LVM-activate params vgname=vgsan vg_access_mode=system_id op monitor interval=30s timeout=90s
primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 op monitor interval=10s
order vg-before-ip Mandatory: vg ip
colocation ip-with-vg inf: ip vg
```

## Fix safety

No automatic fix: only the admin knows which resource was meant.

## Source

Pacemaker's CIB schema (`constraints-3.9.rng`, `resources-3.9.rng`: IDREF
attributes, unique IDs); crmsh `cibconfig.py` reference checks.
"""

from __future__ import annotations

from sanlint.rule import Rule


class UndefinedOrDuplicateId(Rule):
    code = "PCMK105"
    name = "undefined-or-duplicate-id"
    severity = "error"
    reads = ("cluster",)

    def check(self, ctx):
        for c in ctx.site.all_clusters():
            known = set(c.resources) | set(c.other_ids) | {t.id for t in c.tags}
            for con in c.constraints:
                seen = set()
                for ref in con.resources:
                    if ref.id not in known and ref.id not in seen:
                        seen.add(ref.id)
                        yield self.finding(
                            f"{con.kind} constraint {con.id} references {ref.id}, which is not defined: "
                            f"the CIB schema rejects the whole configuration",
                            ref.span or con.span, identity=f"constraint {con.id} / reference {ref.id}")
            for r in c.resources.values():
                kids = list(getattr(r, "children", None) or [])
                child = getattr(r, "child", None)
                if child and r.element in ("clone", "master"):
                    kids.append(child)
                for k in kids:
                    if k not in c.resources:
                        yield self.finding(
                            f"{r.element} {r.id} contains {k}, which is not defined as a resource",
                            r.span, identity=f"resource {r.id} / member {k}")
            counts: dict[str, int] = {}
            for ident, span in c.duplicate_ids:
                counts[ident] = counts.get(ident, 0) + 1
                yield self.finding(
                    f"ID {ident} is defined twice: crmsh and cibadmin refuse the configuration",
                    span, identity=f"cluster {c.span.path} / duplicate id {ident} #{counts[ident]}")
