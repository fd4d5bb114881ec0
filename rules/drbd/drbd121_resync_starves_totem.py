"""Resync can starve totem: a fixed resync rate on a network shared with corosync.

## What it checks

A resource with a fixed resync rate (`syncer { rate }` under 8.3, or
`resync-rate` with `c-plan-ahead 0`) whose replication address (the
host's own `on` address, else every host's) lies on a network that
corosync also uses: in the same /24 (IPv4; /64 for IPv6) as a totem
`interface`'s `bindnetaddr`, or equal to / in the same /24 as a node's
`ringX_addr`.  corosync derives the real netmask of `bindnetaddr` from the
local interface, which a configuration file does not show, so sanlint
assumes /24 and says so.

## Why it matters

A full resync pushes the fixed rate through the link regardless of other
traffic.  When that link also carries totem, token messages queue behind
the resync, corosync loses the token, the membership breaks and the
cluster fences a node, which triggers another resync.  LINBIT recommends
a dedicated back-to-back replication link and a resync rate of about 30%
of its bandwidth, and two independent cluster communication paths that do
not depend on the replication NIC.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  disk { resync-rate 100M; c-plan-ahead 0; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

```corosync path=etc/corosync/corosync.conf
totem {
    version: 2
    interface {
        ringnumber: 0
        bindnetaddr: 10.0.0.0
        mcastport: 5405
    }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  disk { resync-rate 100M; c-plan-ahead 0; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 192.168.10.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 192.168.10.2:7789; }
}
```

```corosync path=etc/corosync/corosync.conf
totem {
    version: 2
    interface {
        ringnumber: 0
        bindnetaddr: 10.0.0.0
        mcastport: 5405
    }
}
```

## Fix safety

No automatic fix: either move replication to its own link, or switch to
the dynamic resync controller (`c-plan-ahead 20; c-max-rate ...;`) with a
cap the shared link can afford.

## Source

LINBIT users guide 9 `drbd-configure.adoc` (about lines 45-55, dedicated
replication link) and `drbd-administration-manual.adoc` (about lines 799-846,
resync rate about 30% of the bandwidth); LINBIT users guide 9
`drbd-pacemaker.adoc` (about line 192, independent communication paths);
https://kb.linbit.com/tuning-drbds-resync-controller;
https://github.com/LINBIT/linbit-documentation.
"""

from __future__ import annotations

import ipaddress

from sanlint.rule import Context, Rule
from sanlint.transform.drbd import default
from sanlint.views import ip
from sanlint_rules.drbd._common import Once, find, host_resources, own_host, version


def _net(addr):
    return ipaddress.ip_network(f"{addr}/{24 if addr.version == 4 else 64}", strict=False)


def plan_ahead(host, res, ver: str) -> tuple[int, bool]:
    """Effective c-plan-ahead and whether it is written (else the default of DRBD `ver`)."""
    f = find(host, res, ("disk", "syncer"), ("c-plan-ahead",))
    if f is None:
        return int(default("c-plan-ahead", ver) or "20"), False
    try:
        return int((f.value or "0").rstrip("s")), True
    except ValueError:
        return 20, True


def totem_networks(site, host):
    """(network, description) of the cluster communication the host's corosync uses."""
    configs = list(host.corosync) or [c for h in site.hosts.values() for c in h.corosync]
    out = []
    for cc in configs:
        for itf in cc.interfaces:
            a = ip(itf.bindnetaddr)
            if a is not None:
                out.append((_net(a), f"corosync ring {itf.number} (bindnetaddr {itf.bindnetaddr}, /24 assumed: "
                                      f"corosync takes the netmask from the interface)"))
        for node in cc.nodes:
            for ring, addr in sorted(node.ring_addrs.items()):
                a = ip(addr)
                if a is not None:
                    out.append((_net(a), f"corosync ring{ring}_addr {addr} of node {node.name or node.nodeid}"))
    return out


class ResyncStarvesTotem(Rule):
    code = "DRBD121"
    name = "resync-starves-totem"
    severity = "warning"
    reads = ("drbd", "corosync")

    def check(self, ctx: Context):
        site = ctx.site
        ver = version(site)
        once = Once()
        nets_cache: dict[int, list] = {}
        for host, res in host_resources(site):
            rate = find(host, res, ("disk", "syncer"), ("resync-rate", "rate"))
            if rate is None:
                continue
            cpa, written = plan_ahead(host, res, ver)
            if cpa != 0:
                continue
            if id(host) not in nets_cache:
                nets_cache[id(host)] = totem_networks(site, host)
            nets = nets_cache[id(host)]
            if not nets:
                continue
            own = own_host(host, res)
            addrs = [own.address] if own is not None and own.address else [h.address for h in res.hosts if h.address]
            hit = None
            for a in addrs:
                parsed = ip(a.address)
                if parsed is None:
                    continue
                for net, what in nets:
                    if parsed.version == net.version and parsed in net:
                        hit = (a, net, what)
                        break
                if hit:
                    break
            if hit is None or not once.first(rate.setting.span, res.name):
                continue
            a, net, what = hit
            why = "c-plan-ahead 0" if written else "the DRBD 8.3 default c-plan-ahead 0"
            yield self.finding(
                f"resource {res.name} resyncs at a fixed {rate.value} ({why}) over {a.address}, which shares "
                f"{net} with {what}: a full resync can starve totem and get a node fenced; use a dedicated "
                f"replication link or the dynamic resync controller with a c-max-rate cap",
                rate.setting.span, identity=f"drbd resource {res.name} / resync rate / totem network")
