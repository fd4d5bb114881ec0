"""Node names disagree: corosync, Pacemaker and DRBD name the nodes differently.

## What it checks

The node names of the three layers, compared the way DRBD 9 compares host
names (case-insensitive; two FQDNs must be equal, otherwise the short names
are compared):

* the corosync `nodelist` names (`name:`, else a `ring0_addr` that is a host
  name) against the Pacemaker `node` entries (crm file or CIB), in both
  directions, when both are given;
* the `on` names of DRBD resources that no Pacemaker primitive manages
  against the cluster's node names (Pacemaker's, else corosync's).  DRBD
  resources that Pacemaker manages are checked by DRBD104.

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
(the name comes from corosync's nodelist, else `uname -n`); drbd.conf(5)
`on host-name` ("must match the Linux host name (uname -n)"); drbd-utils
`hostnames_equal()`; SUSE Trento check 6E9B82 (corosync and CIB node
counts agree).
"""

from __future__ import annotations

from sanlint.rule import Context, Rule
from sanlint.views import cluster_node_names, corosync_node_name, corosync_of, managed_drbd
from sanlint_rules.net._common import NameIndex, drbd_on_names


class NodeNamesDisagree(Rule):
    code = "CORO103"
    name = "node-names-disagree"
    severity = "error"
    reads = ("corosync", "cluster", "drbd")

    def check(self, ctx: Context):
        site = ctx.site
        pcmk = [n for c in site.all_clusters() for n in c.nodes]
        pcmk_index = NameIndex(n.uname for n in pcmk)
        coro = []  # (host, name, node)
        for host in site.hosts.values():
            cfg = corosync_of(host)
            for n in cfg.nodes if cfg else []:
                name = corosync_node_name(n)
                if name:
                    coro.append((host, name, n))
        coro_index = NameIndex(name for _, name, _ in coro)

        if pcmk_index and coro_index:
            pcmk_listed = ", ".join(sorted({p.uname for p in pcmk}))
            coro_listed = ", ".join(sorted({name for _, name, _ in coro}))
            for host, name, n in coro:
                if name not in pcmk_index:
                    where = f" on {host.name}" if host.name else ""
                    yield self.finding(
                        f"corosync node {name}{where} is not a Pacemaker node (Pacemaker nodes: "
                        f"{pcmk_listed}): the node joins under a name the "
                        f"cluster configuration does not know",
                        n.span, identity=f"corosync node {name} / name")
            reported: set[str] = set()
            for p in pcmk:
                if p.uname not in coro_index and p.uname.lower() not in reported:
                    reported.add(p.uname.lower())
                    yield self.finding(
                        f"Pacemaker node {p.uname} is not in the corosync nodelist (corosync nodes: "
                        f"{coro_listed}): it is a phantom node that never "
                        f"joins, and its attributes and constraints apply to nobody",
                        p.span, identity=f"cluster node {p.uname} / name")

        names = cluster_node_names(site)
        cluster = NameIndex(names)
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
                    if name in cluster or (res.name, name.lower()) in seen:
                        continue
                    seen.add((res.name, name.lower()))
                    yield self.finding(
                        f"DRBD resource {res.name} has an `on {name}` section but {name} is no {source} node "
                        f"({listed}): host names must be the same in DRBD and "
                        f"the cluster",
                        span, identity=f"drbd resource {res.name} / on {name}")
