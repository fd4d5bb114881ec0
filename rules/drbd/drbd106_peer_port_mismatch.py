"""Peer ports differ: the hosts of one resource use different ports.

## What it checks

The ports of the `address` statements of a resource's host sections (and
of its DRBD 9 connection endpoints): when they are not all the same, every
address whose port differs from the first one is reported.

## Why it matters

It is legal (each side listens on its own address:port), but it is almost
always a typo in a copied block, and it means every firewall between the
nodes must open both ports; a rule written for the port of the first
host silently blocks replication in one direction.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7798; }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Fix safety

No automatic fix: which port is intended (and opened in the firewall) is
the admin's call.

## Source

drbd.conf(5) `address` (each host's own listening address and port);
LINBIT users guide 9 `drbd-configure.adoc` (one port per resource, opened
in the firewall on every node).
"""

from __future__ import annotations

from sanlint.rule import Context, Rule
from sanlint_rules.drbd._common import host_addresses, host_resources


class PeerPortMismatch(Rule):
    code = "DRBD106"
    name = "peer-port-mismatch"
    severity = "warning"
    reads = ("drbd",)

    def check(self, ctx: Context):
        for host, res in host_resources(ctx.site):
            addrs = [(n, a) for n, a in host_addresses(res) if a.family in ("ipv4", "ipv6")]
            if len({a.port for _, a in addrs}) < 2:
                continue
            first_name, first = addrs[0]
            done = set()
            for n, a in addrs[1:]:
                if a.port == first.port or a.span.start in done:
                    continue
                done.add(a.span.start)
                yield self.finding(
                    f"resource {res.name}: host {n} uses port {a.port} but {first_name} uses {first.port} "
                    f"({first.span.path}:{first.span.line}): legal, but usually a typo, and every firewall "
                    f"must then open both ports",
                    a.span, identity=f"drbd resource {res.name} / address of {n} / port")
