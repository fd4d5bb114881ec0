"""Host names: a cluster-managed resource's `on` sections do not match the cluster nodes.

## What it checks

For every DRBD resource that Pacemaker manages (an `ocf:linbit:drbd`
primitive names it in `drbd_resource`): each `on NAME` section must name a
cluster node (the Pacemaker node list, else the corosync nodelist), and
each cluster node that may run the resource (no `-inf` location constraint
keeps it away) must have an `on` section.  drbdadm compares `on` names
with `uname -n`: DRBD 8.3/8.4 exactly, DRBD 9 ignoring case and matching a
short name against an FQDN.  A Pacemaker node name is `uname -n` itself,
unless the corosync nodelist names the nodes: Pacemaker then uses the
nodelist name, and `uname -n` may be any name corosync matches to it
(equal, or equal once the domains are cut off: `find_local_node`), so
under DRBD 8.x `on san-1` stands for nodelist node `san-1.example.com`.

## Why it matters

drbdadm picks the host section whose name equals `uname -n`; the node
names Pacemaker uses are `uname -n` too.  A section that matches no node
is dead configuration, and a node without a section cannot bring the
resource up at all ("'r0' not defined in your config (for this host)",
"Misspelled name of the local machine with the 'on' keyword ?"), so the
promotable clone fails there and failover to that node is impossible.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

```crm path=@cluster.crm
node alpha.example.com
node bravo.example.com
primitive p_drbd_r0 ocf:linbit:drbd params drbd_resource=r0
ms ms_drbd_r0 p_drbd_r0 meta master-max=1 clone-max=2 notify=true
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha.example.com { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo.example.com { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

```crm path=@cluster.crm
node alpha.example.com
node bravo.example.com
primitive p_drbd_r0 ocf:linbit:drbd params drbd_resource=r0
ms ms_drbd_r0 p_drbd_r0 meta master-max=1 clone-max=2 notify=true
```

## Fix safety

No automatic fix: whether the DRBD file or the node name is wrong is the
admin's call.

## Source

drbd.conf(5): the host name "must match the Linux host name (uname -n)";
drbd-utils `user/v9/drbdadm_parser.c` `hostnames_equal()` (9) and
`user/v84/drbdadm_parser.c` `name_in_names()` (exact); corosync
`exec/totemconfig.c` `find_local_node()`;
https://github.com/LINBIT/drbd-utils, drbd.conf(5) at
https://manpages.debian.org/drbd.conf.5.
"""

from __future__ import annotations

from sanlint import views
from sanlint.model.cluster import Location, canonical_score
from sanlint.rule import Context, Rule
from sanlint_rules.drbd._common import host_resources, version, version_note


def _bans(site) -> dict[str, set[str]]:
    """Resource id -> the nodes a `-inf` location constraint keeps it off."""
    out: dict[str, set[str]] = {}
    for cluster in site.all_clusters():
        for c in cluster.of_kind(Location):
            if c.node and canonical_score(c.score) == "-INFINITY":
                for r in c.resources:
                    out.setdefault(r.id, set()).add(c.node)
    return out


def _banned_nodes(site, prim, bans: dict[str, set[str]]) -> set[str]:
    """Nodes kept off the DRBD primitive, its clone or its outermost container."""
    out: set[str] = set(bans.get(prim.id, ()))
    for cluster in site.all_clusters():
        if prim.id not in cluster.resources:
            continue
        out |= bans.get(views.top_level(cluster, prim.id), set())
        parent = views.container_of(cluster, prim.id)
        if parent is not None:
            out |= bans.get(parent.id, set())
    return out


class HostNotClusterNode(Rule):
    code = "DRBD104"
    name = "host-not-cluster-node"
    severity = "error"
    reads = ("drbd", "cluster", "corosync")

    def check(self, ctx: Context):
        site = ctx.site
        managed = views.managed_drbd(site)
        nodes = [str(n) for n in views.cluster_node_names(site)]
        if not managed or not nodes:
            return
        ver = version(site)
        named = views.nodes_named_by_nodelist(site)
        bans = _bans(site)

        def match(on_name: str, node: str) -> bool:
            return views.drbd_host_is_node(on_name, node, ver, named)

        for host, res in host_resources(site):
            prim = managed.get(res.name)
            if prim is None:
                continue
            on = [h for h in res.hosts if h.kind == "on"]
            near: set[str] = set()
            for h in on:
                if any(match(n, node) for n in h.names for node in nodes):
                    continue
                close = [node for node in nodes for n in h.names if views.same_host(n, node)]
                if close:
                    near.update(close)
                    why = (f"the cluster node is {close[0]}; {version_note(site)}, and that version compares "
                           f"host names exactly, so the section never matches `uname -n`")
                else:
                    why = f"the cluster nodes are {', '.join(nodes)}, so this section never matches `uname -n`"
                yield self.finding(
                    f"resource {res.name} (managed by {prim.id}) has `on {' '.join(h.names)}`, which names no "
                    f"cluster node: {why}",
                    h.span, identity=f"drbd resource {res.name} / on {' '.join(h.names)}")
            if any(h.kind == "floating" for h in res.hosts):
                continue  # floating sections match by address, not by name
            banned = _banned_nodes(site, prim, bans)
            for node in nodes:
                if node in near or node in banned:
                    continue
                if any(match(n, node) for h in on for n in h.names):
                    continue
                yield self.finding(
                    f"cluster node {node} may run {prim.id} but resource {res.name} has no `on {node}` section: "
                    f"drbdadm cannot bring {res.name} up there, so the clone fails on that node",
                    res.span, identity=f"drbd resource {res.name} / node {node}")
