"""Numeric order score: an order constraint uses a score (`1000:`) instead of a kind.

## What it checks

An order constraint written with a number (`order o 1000: A B`) instead of
`Mandatory:`, `Optional:` or `Serialize:`, or a CIB `<rsc_order>` with a
`score=` attribute.

## Why it matters

Scores on orders are deprecated (informally since Pacemaker 1.0.7,
formally since 2.0.1; `crm_verify -VV` warns "Support for 'score' in
rsc_order is deprecated ... (use 'kind' instead)").  The number suggests a
preference while any non-zero score is in fact mandatory; crmsh converts it
to `kind="Mandatory"` anyway, so the text and the CIB disagree.

## Example

```crm path=@cluster.crm
primitive vg ocf:heartbeat:LVM-activate params vgname=vgsan vg_access_mode=system_id op monitor interval=30s timeout=90s
primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 op monitor interval=10s
order ip-after-vg 1000: vg ip
colocation ip-with-vg inf: ip vg
```

## Use instead

```crm path=@cluster.crm
primitive vg ocf:heartbeat:LVM-activate params vgname=vgsan vg_access_mode=system_id op monitor interval=30s timeout=90s
primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 op monitor interval=10s
order ip-after-vg Mandatory: vg ip
colocation ip-with-vg inf: ip vg
```

## Fix safety

Safe: the fix writes the kind Pacemaker already applies: `Mandatory` for
a non-zero score, `Optional` for 0 (in a CIB, `score="..."` becomes
`kind="..."`).

## Source

Pacemaker `lib/pacemaker/pcmk_sched_ordering.c` `get_ordering_type()`
(score 0 = optional, otherwise mandatory; deprecation warning); crmsh
`parse.py` `score_to_kind`.
"""

from __future__ import annotations

import re

from sanlint.edit.cib import attr_range
from sanlint.edit.cluster import syntax
from sanlint.model.cluster import Order
from sanlint.rule import Edit, Fix, Rule


def kind_for(score: str) -> str:
    s = score.strip().lower().lstrip("+")
    return "Optional" if s in ("0", "-0") else "Mandatory"


class OrderNumericScore(Rule):
    code = "PCMK118"
    name = "order-numeric-score"
    severity = "info"
    reads = ("cluster",)
    fix = "safe"

    def check(self, ctx):
        for c in ctx.site.all_clusters():
            for o in c.of_kind(Order):
                if o.score is None or o.order_kind:
                    continue
                cib = syntax(o.span) == "cib"
                if not cib and not re.fullmatch(r"[+-]?\d+", o.score.strip()):
                    continue
                kind = kind_for(o.score)
                fix = None
                if cib:
                    a = attr_range(o.span, "score")
                    if a and attr_range(o.span, "kind") is None:
                        fix = Fix([Edit(o.span.file, a[0], a[1], f'kind="{kind}"')], f"use kind={kind}")
                elif o.score_span is not None:
                    fix = Fix([Edit(o.score_span.file, o.score_span.start,
                                    o.score_span.start + len(o.score.strip().encode()), kind)], f"use {kind}:")
                yield self.finding(
                    f"order {o.id} uses the score {o.score} instead of a kind: scores on orders are deprecated, and a score "
                    f"of 0 means Optional, any other Mandatory, so this one is {kind} (write {kind}:)",
                    o.score_span or o.span, identity=f"constraint {o.id} / score", fix=fix)
