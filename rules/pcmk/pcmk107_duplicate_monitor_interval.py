"""Duplicate monitor interval: two monitor operations of one resource share an interval.

## What it checks

Two `op monitor` of one primitive with the same interval (compared in
milliseconds, so `10` and `10s` are the same), whatever their roles.

## Why it matters

Pacemaker identifies a recurring operation by resource, name and interval:
the second monitor is a duplicate and is dropped (`crm_verify`: "Operation
... is duplicate of ..."), so with a promotable DRBD clone one of the two
roles is not monitored at all and a failed Primary goes unnoticed.  crmsh
says "interval in monitor must be unique".

## Example

```crm path=@cluster.crm
primitive drbd_r0 ocf:linbit:drbd params drbd_resource=r0 op monitor interval=20s role=Promoted op monitor interval=20s role=Unpromoted
clone drbd_r0_clone drbd_r0 meta promotable=true notify=true
```

## Use instead

```crm path=@cluster.crm
primitive drbd_r0 ocf:linbit:drbd params drbd_resource=r0 op monitor interval=29s role=Promoted op monitor interval=31s role=Unpromoted
clone drbd_r0_clone drbd_r0 meta promotable=true notify=true
```

## Fix safety

Safe: the fix gives the later monitor the next free interval (one second
more), so both are kept; nothing else changes.

## Source

Pacemaker Explained, "Monitoring Resources for Failure" / "Monitoring
Promotable Clone Resources" ("the intervals must be different");
Pacemaker `lib/pengine/utils.c` (duplicate operation check); crmsh
`ra.py` `sanity_check_ops`.
"""

from __future__ import annotations

import re

from sanlint.edit.cib import attr_range
from sanlint.edit.cluster import syntax
from sanlint.rule import Edit, Fix, Rule
from sanlint_rules.pcmk._common import duration_ms, norm_role


def _interval_value_span(op):
    """(file, start, end) of the interval value of an op."""
    if syntax(op.span) == "cib":
        a = attr_range(op.span, "interval")
        return (op.span.file, a[2], a[3]) if a else None
    text = op.span.text
    m = re.search(r"""\binterval=(["']?)([^\s"']+)\1""", text)
    if not m:
        return None
    base = op.span.start
    pre = text[:m.start(2)].encode("utf-8", "surrogateescape")
    return (op.span.file, base + len(pre), base + len(pre) + len(m.group(2).encode()))


def _bump(value: str, used: set[int]) -> str | None:
    m = re.fullmatch(r"(\d+)([a-z]*)", value.strip().lower())
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2)
    for k in range(n + 1, n + 60):
        cand = f"{k}{unit}"
        ms = duration_ms(cand)
        if ms is not None and ms not in used:
            return cand
    return None


class DuplicateMonitorInterval(Rule):
    code = "PCMK107"
    name = "duplicate-monitor-interval"
    severity = "error"
    reads = ("cluster",)
    fix = "safe"

    def check(self, ctx):
        for c in ctx.site.all_clusters():
            for p in c.primitives() + c.templates():
                seen: dict[int, object] = {}
                used = {duration_ms(o.interval) for o in p.ops if o.name == "monitor"}
                for op in p.ops:
                    if op.name != "monitor":
                        continue
                    ms = duration_ms(op.interval)
                    if ms is None or ms == 0:
                        continue
                    if ms not in seen:
                        seen[ms] = op
                        continue
                    fix = None
                    where = _interval_value_span(op)
                    new = _bump(op.interval or "", used) if where else None
                    if new:
                        used.add(duration_ms(new))
                        fix = Fix([Edit(where[0], where[1], where[2], new)], f"use interval {new} for this monitor")
                    role = f" (role {op.role})" if op.role else ""
                    yield self.finding(
                        f"resource {p.id} has two monitor operations with interval {op.interval}{role}: Pacemaker "
                        f"drops the duplicate, so that monitor never runs",
                        op.span, identity=f"resource {p.id} / monitor {norm_role(op.role) or ''} {ms}ms", fix=fix)
