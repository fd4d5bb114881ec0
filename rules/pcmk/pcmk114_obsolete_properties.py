r"""Obsolete properties: status or obsolete cluster properties kept in the configuration.

## What it checks

Cluster properties that are status rather than configuration, or that
current Pacemaker no longer accepts: `dc-version`, `last-lrm-refresh`,
`cluster-infrastructure=openais|classic openais|cman|heartbeat`,
`expected-quorum-votes`.  One finding per property.

## Why it matters

`dc-version` and `last-lrm-refresh` are written by the cluster itself; a
saved copy pushed back with `crm configure load replace` records a stale
version and refresh time.  `cluster-infrastructure=openais`/`cman` and
`expected-quorum-votes` belong to corosync 1.x: the pacemaker-3.x schemas
reject them (`Relax-NG validity error`), and `cibadmin --upgrade` simply
drops them ("corosync (2+) infrastructure tracks quorum on its own").

## Example

```crm path=@cluster.crm
property cib-bootstrap-options: \
        stonith-enabled=true \
        dc-version="1.1.6-b988976485d15cb702c9307df55512d323831a5e" \
        expected-quorum-votes=2
```

## Use instead

```crm path=@cluster.crm
property cib-bootstrap-options: \
        stonith-enabled=true
```

## Fix safety

Safe: the fix deletes the property (the line, keeping the `\`
continuations of the crm statement valid, or the `<nvpair>` element).  The
cluster re-creates `dc-version` and `last-lrm-refresh` itself, and corosync
2+ tracks quorum without `expected-quorum-votes`.

## Source

Pacemaker `xml/upgrade-2.10.xsl` (dropped properties), `xml/options-3.0.rng`
(rejected names); Pacemaker Explained, "Cluster Options" (dc-version,
cluster-infrastructure are maintained by the cluster).
"""

from __future__ import annotations

from sanlint.edit.cluster import delete_pair
from sanlint.rule import Fix, Rule
from sanlint.transform.pacemaker import OLD_INFRA

ALWAYS = {
    "dc-version": "is written by the cluster (the DC's version), not configuration",
    "last-lrm-refresh": "is a status timestamp written by the cluster, not configuration",
    "expected-quorum-votes": "belongs to corosync 1.x; corosync 2+ tracks quorum itself and the pacemaker-3.x schema rejects it",
}


class ObsoleteProperties(Rule):
    code = "PCMK114"
    name = "obsolete-properties"
    severity = "info"
    reads = ("cluster",)
    fix = "safe"

    def check(self, ctx):
        for c in ctx.site.all_clusters():
            for s in c.properties:
                for pair in s.pairs:
                    why = ALWAYS.get(pair.name)
                    if why is None and pair.name == "cluster-infrastructure" and (pair.value or "").lower() in OLD_INFRA:
                        why = f"names the corosync 1.x / {pair.value} stack, which Pacemaker 2.0 removed; the pacemaker-3.x schema rejects it"
                    if why is None:
                        continue
                    e = delete_pair(pair)
                    fix = Fix([e], f"delete property {pair.name}") if e else None
                    yield self.finding(f"property {pair.name}={pair.value} {why}", pair.span,
                                       identity=f"cluster {c.span.path} / property {pair.name}", fix=fix)
