"""Unresolvable node name: a cluster node name is missing from a host's /etc/hosts.

## What it checks

On every host whose `/etc/hosts` is part of the input, each node name the
cluster uses must be listed there (as the canonical name or an alias,
compared without regard to case as glibc does):

* Pacemaker `node` names (crm file or CIB);
* corosync nodelist `name`s, and `ringN_addr` values that are host names;
* the names of DRBD `on` sections.

Names that are IP addresses are not looked up.  Hosts without an
`/etc/hosts` in the input are not checked.

## Why it matters

Cluster node names are resolved at the worst moment: corosync resolves
`ringN_addr` names when it starts, DRBD's `on` names and the handlers'
peer lookups run during a failover.  If the name depends on DNS, a DNS
outage (often caused by the same network failure that triggered the
failover) leaves corosync unable to form the ring or drbdadm unable to
find its peer.  The SAN this project started from failed that way: DRBD
could not connect while the nodes could not reach each other by name.  SUSE's Trento checks require every cluster
node name in /etc/hosts.

## Example

```hosts path=etc/hosts
127.0.0.1   localhost
10.0.1.1    san-1
```

```drbd path=etc/drbd.d/r0.res
resource r0 {
  net { protocol C; }
  on san-1 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.10.1:7789; }
  on san-2 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.10.2:7789; }
}
```

## Use instead

```hosts path=etc/hosts
127.0.0.1   localhost
10.0.1.1    san-1.example.com san-1
10.0.1.2    san-2.example.com san-2
```

```drbd path=etc/drbd.d/r0.res
resource r0 {
  net { protocol C; }
  on san-1 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.10.1:7789; }
  on san-2 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.10.2:7789; }
}
```

## Fix safety

No automatic fix: the address to give the name is not known.

## Source

hosts(5); corosync.conf(5) `ringX_addr` ("can be an IP address or a host
name"); drbd.conf(5) `on host-name`; SUSE Trento check 438525 (cluster
node names resolvable in /etc/hosts).
"""

from __future__ import annotations

from sanlint.rule import Context, Rule
from sanlint.views import corosync_address_problem, corosync_of, is_address
from sanlint_rules.net._common import drbd_on_names, hosts_file


def used_names(site) -> dict[str, str]:
    """lower-cased name -> 'name (where it is used)', in order of discovery."""
    out: dict[str, str] = {}

    def add(name: str | None, where: str) -> None:
        if name and not is_address(name) and name.lower() not in out:
            out[name.lower()] = f"{name} ({where})"

    for c in site.all_clusters():
        for n in c.nodes:
            add(n.uname, "Pacemaker node")
    for h in site.hosts.values():
        cfg = corosync_of(h)
        for n in cfg.nodes if cfg else []:
            add(n.name, "corosync nodelist")
            for number, addr in n.ring_addrs.items():
                if corosync_address_problem(addr) is None:  # CORO112 reports the others
                    add(addr, f"corosync ring{number}_addr")
    for h in site.hosts.values():
        for res in h.drbd_resources:
            for name, _ in drbd_on_names(res):
                add(name, f"DRBD resource {res.name}")
    return out


class NodeNameNotInEtcHosts(Rule):
    code = "NET103"
    name = "node-name-not-in-etc-hosts"
    severity = "warning"
    reads = ("cluster", "corosync", "drbd", "network")

    def check(self, ctx: Context):
        names = None
        for host in ctx.site.hosts.values():
            if not host.has_etc_hosts:
                continue
            if names is None:
                names = used_names(ctx.site)
            known = {n.lower() for e in host.etc_hosts for n in e.names}
            src = hosts_file(host)
            span = src.whole() if src is not None else (host.etc_hosts[0].span if host.etc_hosts else None)
            where = f" on {host.name}" if host.name else ""
            for low, label in names.items():
                if low in known:
                    continue
                yield self.finding(
                    f"/etc/hosts{where} does not list {label}: the name then depends on DNS, which may be "
                    f"down in the very network failure that triggers a failover",
                    span, identity=f"/etc/hosts on {host.name or '?'} / name {low}")
