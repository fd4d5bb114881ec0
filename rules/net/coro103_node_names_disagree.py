"""Node names disagree: corosync, Pacemaker and DRBD name the nodes differently.

## What it checks

The node names of the three layers, each pair compared the way the tool
that matches them does:

* the corosync `nodelist` names (`name:`, else a `ring0_addr` that is a host
  name) against the Pacemaker `node` entries (crm file or CIB), in both
  directions, when both are given.  Pacemaker takes each node's name from
  the nodelist as written and compares names whole, ignoring case only:
  `san-1` and `san-1.example.com` are two different nodes to it (corosync
  itself, matching its nodelist against `uname -n`, would accept either);
* the `on` names of DRBD resources that no Pacemaker primitive manages
  against the cluster's node names (Pacemaker's, else corosync's), as
  drbdadm compares them with `uname -n`: DRBD 9 ignores case and matches a
  short name against an FQDN, DRBD 8.4 and 8.3 compare exactly, where
  `uname -n` is the Pacemaker name itself or, when the corosync nodelist
  names the nodes, any name corosync matches to it (DRBD104 explains).  DRBD resources that
  Pacemaker manages are checked by DRBD104.

corosync 1.x files have no nodelist, so there is nothing to compare there.

## Why it matters

Pacemaker takes a node's name from the corosync nodelist; a `node` entry
in the CIB with another name is a phantom node that never joins (its
attributes, standby state and location constraints apply to nobody), and
the real node appears under a second, unconfigured name.  DRBD ignores an
`on` section whose name is not `uname -n`, so a resource named for a host
the cluster does not know is never brought up there, and the
`crm-fence-peer` handler, which constrains by cluster node name, fences the
wrong name.

## Example

```corosync path=etc/corosync/corosync.conf
totem {
    version: 2
    cluster_name: san
    transport: knet
    crypto_cipher: aes256
    crypto_hash: sha256
}
nodelist {
    node {
        name: san-1
        nodeid: 1
        ring0_addr: 10.0.1.1
        ring1_addr: 10.0.2.1
    }
    node {
        name: san-2
        nodeid: 2
        ring0_addr: 10.0.1.2
        ring1_addr: 10.0.2.2
    }
}
quorum {
    provider: corosync_votequorum
    two_node: 1
}
```

```crm path=@cluster.crm
node 1: san-1
node 2: node2
property stonith-enabled=true
```

## Use instead

```corosync path=etc/corosync/corosync.conf
totem {
    version: 2
    cluster_name: san
    transport: knet
    crypto_cipher: aes256
    crypto_hash: sha256
}
nodelist {
    node {
        name: san-1
        nodeid: 1
        ring0_addr: 10.0.1.1
        ring1_addr: 10.0.2.1
    }
    node {
        name: san-2
        nodeid: 2
        ring0_addr: 10.0.1.2
        ring1_addr: 10.0.2.2
    }
}
quorum {
    provider: corosync_votequorum
    two_node: 1
}
```

```crm path=@cluster.crm
node 1: san-1
node 2: san-2
property stonith-enabled=true
```

## Fix safety

No automatic fix: which name is right (`uname -n` of the machine) is not
in the files.

## Source

corosync.conf(5) nodelist `name`; Pacemaker Explained, "Node names"
(the name comes from corosync's nodelist, else `uname -n`); Pacemaker
`lib/cluster/corosync.c` `pcmk__corosync_name()` and
`lib/cluster/membership.c` (names compared with `pcmk__str_casei`);
corosync `exec/totemconfig.c` `find_local_node()`; drbd.conf(5)
`on host-name` ("must match the Linux host name (uname -n)"); drbd-utils
`user/v9/drbdadm_parser.c` `hostnames_equal()`, `user/v84/drbdadm_parser.c`
`name_in_names()` (strcmp); SUSE Trento check 6E9B82 (corosync and CIB node
counts agree).
"""

from __future__ import annotations

from sanlint.rule import Context, Rule
from sanlint.views import (
    cluster_node_names, corosync_node_name, corosync_of, drbd_host_is_node, managed_drbd, nodes_named_by_nodelist,
    same_host,
)
from sanlint_rules.drbd._common import version
from sanlint_rules.net._common import NameIndex, drbd_on_names


def _near(name: str, names) -> str:
    """`; it is <n> there, and ...` when only the domain or the case tells the names apart."""
    close = sorted({n for n in names if same_host(n, name) and n != name})
    if not close:
        return ""
    return (f" (it is {close[0]} there: Pacemaker takes the name from the nodelist as written and compares "
            f"names whole, so a short name and an FQDN are two nodes)")


class NodeNamesDisagree(Rule):
    code = "CORO103"
    name = "node-names-disagree"
    severity = "error"
    reads = ("corosync", "cluster", "drbd")

    def check(self, ctx: Context):
        site = ctx.site
        pcmk = [n for c in site.all_clusters() for n in c.nodes]
        pcmk_index = NameIndex((n.uname for n in pcmk), whole=True)
        coro = []  # (host, name, node)
        for host in site.hosts.values():
            cfg = corosync_of(host)
            for n in cfg.nodes if cfg else []:
                name = corosync_node_name(n)
                if name:
                    coro.append((host, name, n))
        coro_index = NameIndex((name for _, name, _ in coro), whole=True)

        if pcmk_index and coro_index:
            pcmk_listed = ", ".join(sorted({p.uname for p in pcmk}))
            coro_listed = ", ".join(sorted({name for _, name, _ in coro}))
            for host, name, n in coro:
                if name not in pcmk_index:
                    where = f" on {host.name}" if host.name else ""
                    yield self.finding(
                        f"corosync node {name}{where} is not a Pacemaker node (Pacemaker nodes: "
                        f"{pcmk_listed}){_near(name, (p.uname for p in pcmk))}: the node joins under a name the "
                        f"cluster configuration does not know",
                        n.span, identity=f"corosync node {name} / name")
            reported: set[str] = set()
            for p in pcmk:
                if p.uname not in coro_index and p.uname.lower() not in reported:
                    reported.add(p.uname.lower())
                    yield self.finding(
                        f"Pacemaker node {p.uname} is not in the corosync nodelist (corosync nodes: "
                        f"{coro_listed}){_near(p.uname, (c[1] for c in coro))}: it is a phantom node that never "
                        f"joins, and its attributes and constraints apply to nobody",
                        p.span, identity=f"cluster node {p.uname} / name")

        names = cluster_node_names(site)
        ver = version(site)
        named = nodes_named_by_nodelist(site)
        cluster = NameIndex(names)  # DRBD 9's rule: a superset of every version's matches, exact check below
        if not cluster:
            return
        listed = ", ".join(sorted(names))
        source = "Pacemaker" if pcmk_index else "corosync"
        managed = managed_drbd(site)
        for host in site.hosts.values():
            seen: set[tuple[str, str]] = set()
            for res in host.drbd_resources:
                if res.name in managed:
                    continue  # DRBD104 checks resources the cluster manages
                for name, span in drbd_on_names(res):
                    if (name in cluster and any(drbd_host_is_node(name, n, ver, named) for n in names)) \
                            or (res.name, name.lower()) in seen:
                        continue
                    seen.add((res.name, name.lower()))
                    close = [n for n in names if same_host(n, name)]
                    how = (f" (drbdadm {ver} compares host names exactly: {close[0]} is another name)"
                           if close else "")
                    yield self.finding(
                        f"DRBD resource {res.name} has an `on {name}` section but {name} is no {source} node "
                        f"({listed}){how}: host names must be the same in DRBD and "
                        f"the cluster",
                        span, identity=f"drbd resource {res.name} / on {name}")
