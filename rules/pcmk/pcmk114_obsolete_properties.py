r"""Obsolete properties: status or obsolete cluster properties kept in the configuration.

## What it checks

Cluster properties that are status rather than configuration, or that
current Pacemaker no longer accepts: `dc-version`, `last-lrm-refresh`,
`cluster-infrastructure=openais|classic openais|cman|heartbeat`,
`expected-quorum-votes`, and the Pacemaker 1.x names the pacemaker-3.x
schemas reject (`default-resource-stickiness`, `is-managed-default`,
`default-action-timeout`, the underscore spellings...).  One finding per
property: an error on a Pacemaker 2.x site, where the schema rejects the
CIB, info on 1.1.

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

Safe for the status and corosync 1.x properties: the fix deletes the property (the line, keeping the `\`
continuations of the crm statement valid, or the `<nvpair>` element).  The
cluster re-creates `dc-version` and `last-lrm-refresh` itself, and corosync
2+ tracks quorum without `expected-quorum-votes`.  No fix for a renamed
property (`default-resource-stickiness`...): deleting it would change
behaviour; the message names its new place.

## Source

Pacemaker `xml/upgrade-2.10-1.xsl` (renamed, moved and dropped properties: one table,
`sanlint.transform.pacemaker.property_fate`, shared with `migrate pacemaker-2`), `xml/options-3.0.rng`
(`cluster_property_set.nvpair.name-value-unsupported`: the rejected names
and cluster-infrastructure values); Pacemaker Explained, "Cluster Options" (dc-version,
cluster-infrastructure are maintained by the cluster).
"""

from __future__ import annotations

from sanlint.edit.cluster import delete_pair
from sanlint.rule import Fix, Rule
from sanlint.transform.pacemaker import property_fate

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
        two = (ctx.pacemaker_version or "") >= "2"  # the pacemaker-3.x schemas came with Pacemaker 2.0
        for c in ctx.site.all_clusters():
            for s in c.properties:
                for pair in s.pairs:
                    fate = property_fate(pair.name, pair.value)
                    if fate is None:
                        continue
                    why = ALWAYS.get(pair.name)
                    if why is None and pair.name == "cluster-infrastructure":
                        why = f"names the corosync 1.x / {pair.value} stack, which Pacemaker 2.0 removed; the pacemaker-3.x schema rejects it"
                    fixable = why is not None
                    if why is None and fate.rejected:
                        why = f"is a Pacemaker 1.x name the pacemaker-3.x schema rejects; use {fate.where()}"
                    if why is None:
                        continue
                    e = delete_pair(pair) if fixable else None
                    fix = Fix([e], f"delete property {pair.name}") if e else None
                    severity = None
                    if two and fate.rejected:
                        severity = "error"
                        why += f" (Pacemaker {ctx.pacemaker_version}: crm_verify and cibadmin refuse the CIB)"
                    yield self.finding(f"property {pair.name}={pair.value} {why}", pair.span,
                                       identity=f"cluster {c.span.path} / property {pair.name}", fix=fix,
                                       severity=severity)
