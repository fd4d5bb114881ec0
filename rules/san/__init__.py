"""SAN0xx: problems with the inputs themselves (syntax, includes, formats, suppressions)."""

from __future__ import annotations

from typing import Iterator

from sanlint.rule import Context, Finding, Rule


def input_findings(rule: Rule, ctx: Context) -> Iterator[Finding]:
    """The site builder's input problems of this rule's code, as findings."""
    for p in ctx.problems:
        if p.code == rule.code:
            f = rule.finding(p.message, p.span, identity=p.identity, host=p.host)
            if p.span is None:
                f.path = p.path
            yield f
