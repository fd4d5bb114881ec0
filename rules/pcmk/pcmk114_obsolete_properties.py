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

Pacemaker `xml/upgrade-2.10.xsl` (dropped properties), `xml/options-3.0.rng`
(`cluster_property_set.nvpair.name-value-unsupported`: the rejected names
and cluster-infrastructure values); Pacemaker Explained, "Cluster Options" (dc-version,
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

# Pacemaker xml/options-3.0.rng `cluster_property_set.nvpair.name-value-unsupported`: names the
# pacemaker-3.x schemas (Pacemaker 2.0 and later) reject, with where their meaning lives now
MOVED = {
    "default-resource-stickiness": "rsc_defaults resource-stickiness",
    "default-resource-failure-stickiness": "rsc_defaults migration-threshold",
    "default-migration-threshold": "rsc_defaults migration-threshold",
    "is-managed-default": "rsc_defaults is-managed",
    "default-action-timeout": "op_defaults timeout",
    "notification-agent": "an alert (`alert` / <alerts>)",
    "notification-recipient": "an alert recipient",
    "cluster_recheck_interval": "cluster-recheck-interval", "dc_deadtime": "dc-deadtime",
    "default_action_timeout": "op_defaults timeout", "default_migration_threshold": "rsc_defaults migration-threshold",
    "default_resource_failure_stickiness": "rsc_defaults migration-threshold",
    "default_resource_stickiness": "rsc_defaults resource-stickiness", "election_timeout": "election-timeout",
    "is_managed_default": "rsc_defaults is-managed", "no_quorum_policy": "no-quorum-policy",
    "remove_after_stop": "(nothing: removed)", "shutdown_escalation": "shutdown-escalation",
    "startup_fencing": "startup-fencing", "stonith_action": "stonith-action", "stonith_enabled": "stonith-enabled",
    "stop_orphan_actions": "stop-orphan-actions", "stop_orphan_resources": "stop-orphan-resources",
    "symmetric_cluster": "symmetric-cluster", "transition_idle_timeout": "(nothing: removed)",
}
REJECTED_BY_3X = {"expected-quorum-votes", "cluster-infrastructure"} | set(MOVED)


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
                    why = ALWAYS.get(pair.name)
                    if why is None and pair.name == "cluster-infrastructure" and (pair.value or "").lower() in OLD_INFRA:
                        why = f"names the corosync 1.x / {pair.value} stack, which Pacemaker 2.0 removed; the pacemaker-3.x schema rejects it"
                    fixable = why is not None
                    if why is None and pair.name in MOVED:
                        why = f"is a Pacemaker 1.x name the pacemaker-3.x schema rejects; use {MOVED[pair.name]}"
                    if why is None:
                        continue
                    e = delete_pair(pair) if fixable else None
                    fix = Fix([e], f"delete property {pair.name}") if e else None
                    rejected = pair.name in REJECTED_BY_3X
                    severity = None
                    if two and rejected:
                        severity = "error"
                        why += f" (Pacemaker {ctx.pacemaker_version}: crm_verify and cibadmin refuse the CIB)"
                    yield self.finding(f"property {pair.name}={pair.value} {why}", pair.span,
                                       identity=f"cluster {c.span.path} / property {pair.name}", fix=fix,
                                       severity=severity)
