"""Leftover move/ban: a `cli-ban-*` / `cli-prefer-*` location constraint pins a resource.

## What it checks

Location constraints whose ID starts with `cli-ban-`, `cli-prefer-` or
`cli-standby-`: the ones `crm resource move/ban/migrate` and `pcs resource
move/ban` create and only `crm resource clear` (`unmigrate`) removes.

## Why it matters

A forgotten `cli-prefer-` keeps pulling the resource back to one node
(failback after every recovery); a forgotten `cli-ban-` (-INFINITY) forbids
a node for good, so when the other node fails there is nowhere to fail
over to.  SUSE Trento flags them as well.

## Example

```crm path=@cluster.crm
primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 op monitor interval=10s
location cli-ban-ip-on-san-1 ip role=Started -inf: san-1
```

## Use instead

```crm path=@cluster.crm
primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 op monitor interval=10s
```

## Fix safety

Unsafe (resources may move when it is applied): the fix deletes the
location constraint, as `crm resource clear` would.

## Source

crmsh `resource move/ban/clear`, Pacemaker `crm_resource --move/--ban/--clear`
(`cli-prefer-`/`cli-ban-` constraints); SUSE Trento check FA37C7.
"""

from __future__ import annotations

from sanlint.edit.cib import delete_element
from sanlint.edit.cluster import syntax
from sanlint.edit.crm import delete_statement
from sanlint.model.cluster import Location
from sanlint.rule import Fix, Rule

PREFIXES = ("cli-ban-", "cli-prefer-", "cli-standby-")


class LeftoverCliConstraint(Rule):
    code = "PCMK120"
    name = "leftover-cli-constraint"
    severity = "warning"
    reads = ("cluster",)
    fix = "unsafe"

    def check(self, ctx):
        for c in ctx.site.all_clusters():
            for loc in c.of_kind(Location):
                if not loc.id.startswith(PREFIXES):
                    continue
                e = delete_element(loc.span) if syntax(loc.span) == "cib" else delete_statement(loc.span)
                fix = Fix([e], f"delete {loc.id} (crm resource clear)", safe=False) if e else None
                rsc = ", ".join(r.id for r in loc.resources) or loc.rsc_pattern or "?"
                what = "bans" if loc.id.startswith("cli-ban-") else "pins"
                yield self.finding(
                    f"location {loc.id} is a leftover of crm resource move/ban: it {what} {rsc}"
                    f"{' on ' + loc.node if loc.node else ''} until cleared, and can block failover",
                    loc.span, identity=f"constraint {loc.id}", fix=fix)
