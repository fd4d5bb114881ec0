"""Single ring: corosync talks over one ring/link only.

## What it checks

Each host's corosync.conf must give the cluster two independent paths:

* with a `nodelist` whose nodes carry `ringN_addr` (corosync 2 udpu,
  corosync 3 knet): every node needs at least two ring addresses
  (`ring0_addr` and `ring1_addr`); the nodes that have fewer are named;
* without ring addresses in a nodelist (corosync 1.x, 2.x multicast): the
  `totem` section needs `interface` sections with at least two different
  `ringnumber`s (redundant ring protocol).

## Why it matters

With one ring a single NIC, cable or switch failure splits the cluster:
each side sees the other as dead, and the side that wins the fence race
shoots the other while both are healthy.  DRBD's `crm-fence-peer` handler
relies on Pacemaker's communication surviving when the replication link
breaks, so LINBIT asks for at least two independent communication
channels, not only the replication NIC.

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
    }
    node {
        name: san-2
        nodeid: 2
        ring0_addr: 10.0.1.2
    }
}
quorum {
    provider: corosync_votequorum
    two_node: 1
}
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

## Fix safety

No automatic fix: a second ring needs a second network (address per node,
cabling, firewall rules for it).

## Source

corosync.conf(5) `ringX_addr`, `interface`/`ringnumber`/`linknumber`,
`rrp_mode` (corosync 1.x/2.x only: under corosync 3 the advice is a
second knet link in the nodelist), `link_mode`; DRBD 9 user's guide `drbd-pacemaker.adoc`
(IMPORTANT: Pacemaker's communication must stay available when DRBD's link
breaks); SUSE Trento check DA114A (at least two rings per node).
"""

from __future__ import annotations

from sanlint.rule import Context, Rule
from sanlint.views import corosync_node_name, corosync_of
from sanlint_rules.net._common import corosync_major


class SingleRing(Rule):
    code = "CORO102"
    name = "single-ring"
    severity = "warning"
    reads = ("corosync",)

    def check(self, ctx: Context):
        for host in ctx.site.hosts.values():
            cfg = corosync_of(host)
            if cfg is None:
                continue
            where = f" on {host.name}" if host.name else ""
            if any(n.ring_addrs for n in cfg.nodes):
                single = [n for n in cfg.nodes if len(n.ring_addrs) < 2]
                if not single:
                    continue
                if len(single) == len(cfg.nodes):
                    nodelist = cfg.section("nodelist")
                    rings = sorted({r for n in single for r in n.ring_addrs})
                    yield self.finding(
                        f"corosync{where} has a single ring/link (ring {', '.join(map(str, rings)) or '?'}) for "
                        f"every node: one NIC or switch failure partitions the cluster and the nodes fence each "
                        f"other; add ring1_addr on a second, independent network",
                        nodelist.span if nodelist is not None else cfg.span,
                        identity="corosync nodelist / rings")
                    continue
                for n in single:
                    label = corosync_node_name(n) or (f"nodeid {n.nodeid}" if n.nodeid else "?")
                    yield self.finding(
                        f"corosync{where}: node {label} has only {len(n.ring_addrs)} ring address while other "
                        f"nodes have two: losing its one link cuts it off and gets it fenced",
                        n.span, identity=f"corosync node {label} / rings")
                continue
            rings = sorted({i.number for i in cfg.interfaces})
            if len(rings) >= 2:
                continue
            totem = cfg.section("totem")
            span = cfg.interfaces[0].span if cfg.interfaces else (totem.span if totem is not None else cfg.span)
            ring = f"ring {rings[0]}" if rings else "no interface section"
            major = corosync_major(ctx.site, cfg, ctx.settings)[0]
            if major == "3":  # corosync 3 has no redundant ring protocol: links come from the nodelist
                advice = ("add a nodelist whose nodes carry ring0_addr and ring1_addr on two independent "
                          "networks (knet links; corosync 3 has no rrp_mode)")
            else:
                advice = "add a second interface (ringnumber 1) on an independent network with rrp_mode passive"
            yield self.finding(
                f"corosync{where} has a single ring ({ring}): one NIC or switch failure partitions the "
                f"cluster and the nodes fence each other; {advice}",
                span, identity="corosync totem / rings")
