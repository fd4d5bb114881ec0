"""Two-node quorum: a two-node cluster without the right quorum handling.

## What it checks

A cluster of exactly two nodes must not stop its resources when one node
dies.  With corosync 1.x / openais (or CMAN) that takes
`no-quorum-policy=ignore`; with corosync 2 or later (votequorum) it takes
`two_node: 1` in the `quorum` section of corosync.conf on every node (and
then `ignore` is no longer needed).  A cluster with `no-quorum-policy=ignore`
is not reported whatever its corosync: Pacemaker then keeps resources
running without quorum (pe_unpack `no-quorum-policy`: "ignore" = continue
all resource management), so the survivor takes over.  The corosync generation comes from the
hosts' corosync.conf, else from `cluster-infrastructure`.

## Why it matters

Two nodes have two votes; after a failure the survivor holds one, which is
not a majority.  Without the two-node handling Pacemaker's default
`no-quorum-policy=stop` stops every resource on the survivor: the failover
the cluster exists for never happens and the iSCSI LUNs go away.

## Example

```crm path=@cluster.crm
node san-1
node san-2
primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 op monitor interval=10s
property cluster-infrastructure=openais no-quorum-policy=stop
```

## Use instead

```crm path=@cluster.crm
node san-1
node san-2
primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 op monitor interval=10s
property cluster-infrastructure=openais no-quorum-policy=ignore
```

## Fix safety

Safe for corosync 1.x: the fix sets (or adds) `no-quorum-policy=ignore`.
Safe for votequorum: the fix adds `two_node: 1` to the `quorum` section of
each node's corosync.conf (corosync must be restarted on both nodes to pick
it up).  Without a `quorum` section no fix is offered.

## Source

votequorum(5) (`two_node`, which implies `wait_for_all`); Pacemaker
Explained, `no-quorum-policy`; ClusterLabs "Clusters from Scratch" (1.1,
corosync 1.x plugin: "no-quorum-policy=ignore").
"""

from __future__ import annotations

from sanlint.edit.cluster import add_pair
from sanlint.edit.text import indent_at
from sanlint.rule import Edit, Fix, Rule
from sanlint_rules.pcmk._common import two_node


def _corosync_generation(site, cluster) -> str | None:
    versions = {cc.version for h in site.hosts.values() for cc in h.corosync if cc.version}
    if versions:
        return "1" if versions == {"1"} else ("2" if "1" not in versions else None)
    infra = cluster.property("cluster-infrastructure")
    if infra and infra.value:
        v = infra.value.lower()
        if "openais" in v or v in ("cman", "heartbeat"):
            return "1"
        if v == "corosync":
            return "2"
    if site.pacemaker_version in ("2.0", "2.1"):
        return "2"  # Pacemaker 2 runs on corosync 2+ only
    return None


class TwoNodeQuorum(Rule):
    code = "PCMK102"
    name = "two-node-quorum"
    severity = "error"
    reads = ("cluster", "corosync")
    fix = "safe"

    def check(self, ctx):
        site = ctx.site
        reported_corosync = False
        for c in site.all_clusters():
            if not two_node(site, c):
                continue
            gen = _corosync_generation(site, c)
            nqp = c.property("no-quorum-policy")
            if nqp is not None and (nqp.value or "").lower() == "ignore":
                continue  # resources keep running without quorum, whatever corosync says about it
            if gen == "1":
                if nqp is not None:
                    fix = Fix([Edit.replace(nqp.value_span, "ignore")], "set no-quorum-policy=ignore") \
                        if nqp.value_span is not None else None
                    span = nqp.span
                else:
                    fix = self._add_property(c)
                    span = c.properties[0].span if c.properties else c.span
                yield self.finding(
                    f"two-node cluster on corosync 1.x/openais with no-quorum-policy={nqp.value if nqp else 'stop (default)'}: "
                    f"when one node fails the survivor loses quorum and stops every resource instead of taking over",
                    span, identity=f"cluster {c.span.path} / no-quorum-policy", fix=fix)
            elif gen == "2" and not reported_corosync:
                reported_corosync = True
                yield from self._votequorum(site)

    def _add_property(self, c):
        if not c.properties or not c.properties[0].pairs:
            return None
        e = add_pair(c.properties[0], "no-quorum-policy", "ignore", "cib-bootstrap-options")
        return Fix([e], "add no-quorum-policy=ignore") if e is not None else None

    def _votequorum(self, site):
        for h in site.hosts.values():
            for cc in h.corosync:
                q = cc.section("quorum")
                if q is None:
                    continue
                provider = (q.value("provider") or "").strip()
                if provider and provider != "corosync_votequorum":
                    continue
                if len(cc.nodes) > 2:
                    continue
                tn = q.get("two_node")
                if tn is not None and (tn.value or "").strip() == "1":
                    continue
                if tn is not None and tn.value_span is not None:
                    fix = Fix([Edit.replace(tn.value_span, "1")], "set two_node: 1")
                    span = tn.span
                elif q.body_span is not None:
                    fix = self._insert_two_node(q)
                    span = q.span
                else:
                    fix, span = None, q.span
                yield self.finding(
                    f"two-node cluster on corosync votequorum without two_node: 1 on {h.name or 'this host'}: "
                    f"when one node fails the survivor has 1 of 2 votes, loses quorum and stops every resource",
                    span, identity="corosync quorum / two_node", fix=fix)

    def _insert_two_node(self, q):
        data = q.body_span.file.data
        if q.settings:
            last = q.settings[-1].span
            ind = indent_at(data, last.start)
            le = data.find(b"\n", last.end)
            if le >= 0:
                return Fix([Edit.insert(q.body_span.file, le + 1, f"{ind}two_node: 1\n")], "add two_node: 1")
        return None
