"""Replication shares the cluster network: DRBD and totem use the same address or subnet.

## What it checks

For each host and each DRBD resource, the host's own replication address
(its `on` section, or DRBD 9 `connection`/`path` endpoints naming it)
against every corosync ring/link of the host's corosync.conf:

* `totem { interface { bindnetaddr } }` (corosync 1.x/2.x rings);
* the `ringN_addr` of the nodelist nodes (corosync 2 udpu, corosync 3 knet
  links); a ring address that is a host name is looked up in the host's
  `/etc/hosts`.

It fires when the replication address equals a ring address, or lies in
the same network.  A configuration file does not give netmasks (corosync
masks `bindnetaddr` with the interface's own netmask), so the network of a
ring is taken as the /24 around its address for IPv4 and the /64 for IPv6;
identical addresses are reported whatever the netmask.

## Why it matters

A DRBD resync or a burst of replicated writes can fill the link; totem
tokens queued behind it arrive late, the token timeout expires and the
cluster declares a node dead and fences it, while nothing failed.  And a
single shared NIC means that its failure cuts replication and cluster
communication together, so `crm-fence-peer` cannot tell a dead peer from a
dead link.  LINBIT recommends a dedicated, back-to-back replication link
and cluster communication that stays up when it breaks.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  net { protocol C; }
  on san-1 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.1.1:7789; }
  on san-2 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.1.2:7789; }
}
```

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

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  net { protocol C; }
  on san-1 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.10.1:7789; }
  on san-2 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.10.2:7789; }
}
```

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

No automatic fix: moving replication or a ring to another network needs
addresses, cabling and firewall rules.

## Source

DRBD 9 user's guide `drbd-configure.adoc` (a dedicated, direct
back-to-back replication connection) and `drbd-pacemaker.adoc` (Pacemaker's
communication must stay available when DRBD's network link breaks);
corosync.conf(5) `token`, `bindnetaddr`, `ringX_addr`.
"""

from __future__ import annotations

from sanlint.rule import Context, Rule
from sanlint.views import corosync_of, ip, is_address
from sanlint_rules.net._common import implied_network, own_and_peers, resolve


class ReplicationSharesClusterNetwork(Rule):
    code = "NET101"
    name = "replication-shares-cluster-network"
    severity = "warning"
    reads = ("drbd", "corosync", "network")

    def check(self, ctx: Context):
        for host in ctx.site.hosts.values():
            cfg = corosync_of(host)
            if cfg is None or not host.name or not host.drbd_resources:
                continue
            links = _links(host, cfg)  # (label, address or None, network)
            if not links:
                continue
            for res in host.drbd_resources:
                own, _ = own_and_peers(res, host.name)
                done: set[str] = set()
                for ep in own:
                    a = ip(ep.address.address)
                    if a is None or str(a) in done:
                        continue
                    hit = next((lk for lk in links if lk[1] == a), None)
                    how = "the same address as"
                    if hit is None:
                        hit = next((lk for lk in links if lk[2] is not None and a.version == lk[2].version
                                    and a in lk[2]), None)
                        how = f"in network {hit[2]}, shared with" if hit else ""
                    if hit is None:
                        continue
                    done.add(str(a))
                    yield self.finding(
                        f"DRBD resource {res.name} replicates over {a} on {host.name}, {how} corosync "
                        f"{hit[0]}: a resync can delay totem past its token timeout and get nodes fenced, and "
                        f"one NIC failure cuts replication and cluster communication together",
                        ep.address.span, identity=f"drbd resource {res.name} / address {a} / corosync {hit[0]}")


def _links(host, cfg) -> list[tuple[str, object, object]]:
    out = []
    for i in cfg.interfaces:
        if i.bindnetaddr and is_address(i.bindnetaddr):
            a = ip(i.bindnetaddr)
            out.append((f"ring {i.number} (bindnetaddr {i.bindnetaddr})", a, implied_network(i.bindnetaddr)))
    for n in cfg.nodes:
        for number, addr in n.ring_addrs.items():
            addrs = [addr] if is_address(addr) else resolve(host, addr)
            for x in addrs:
                out.append((f"ring {number} (ring{number}_addr {addr} of node {n.name or n.nodeid or '?'})",
                            ip(x), implied_network(x)))
    return out
