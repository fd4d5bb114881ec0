"""Stopped resource: a resource is left with `target-role=Stopped`.

## What it checks

A resource (primitive, group, clone) whose meta attributes set
`target-role=Stopped`, usually left behind by `crm resource stop` or
`pcs resource disable`.

## Why it matters

The resource, and everything ordered or colocated after it, never runs: a
stopped DRBD clone or iSCSI group means the SAN serves nothing, yet
`crm_verify` is silent and `crm_mon` shows it only as "disabled".

## Example

```crm path=@cluster.crm
primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 op monitor interval=10s meta target-role=Stopped
```

## Use instead

```crm path=@cluster.crm
primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 op monitor interval=10s meta target-role=Started
```

## Fix safety

Unsafe (starts the resource): the fix sets `target-role=Started`.

## Source

Pacemaker Explained, resource meta-attribute `target-role`; crmsh
`resource stop` / `resource start`.
"""

from __future__ import annotations

from sanlint.rule import Edit, Fix, Rule


class TargetRoleStopped(Rule):
    code = "PCMK110"
    name = "target-role-stopped"
    severity = "warning"
    reads = ("cluster",)
    fix = "unsafe"

    def check(self, ctx):
        for c in ctx.site.all_clusters():
            for r in c.resources.values():
                if r.element == "template":
                    continue
                for s in r.meta:
                    for pair in s.pairs:
                        if pair.name == "target-role" and (pair.value or "").lower() == "stopped":
                            fix = Fix([Edit.replace(pair.value_span, "Started")], "set target-role=Started", safe=False) \
                                if pair.value_span is not None else None
                            yield self.finding(
                                f"{r.element} {r.id} is left with target-role=Stopped: it and everything that depends "
                                f"on it never runs",
                                pair.span, identity=f"resource {r.id} / target-role", fix=fix)
