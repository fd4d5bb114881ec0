"""Port clash: two resources on one host use the same address and port.

## What it checks

Every address of every resource on a host (the host's own `on` section, or
all addresses when the host's name is not known): when a second resource
uses the same `address IP:PORT` as a resource read before it, the second
one is reported, naming the first.  Addresses from DRBD 9 `connection`
endpoints count as well.

## Why it matters

Each resource needs its own TCP port: drbdadm refuses the whole
configuration ("ipv4:10.0.0.1:7789 is also used ... (resource r0)"), and the
kernel rejects the second connection (`ERR_LOCAL_AND_PEER_ADDR`), so the
second resource never connects and runs degraded until failover loses its
data.  drbd.conf(5) for DRBD 9: "the port numbers must be unique for each
address; ports cannot be shared".

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

```drbd path=etc/drbd.d/r1.res
resource r1 {
  on alpha { device /dev/drbd1; disk /dev/sdc; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd1; disk /dev/sdc; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

```drbd path=etc/drbd.d/r1.res
resource r1 {
  on alpha { device /dev/drbd1; disk /dev/sdc; meta-disk internal; address 10.0.0.1:7790; }
  on bravo { device /dev/drbd1; disk /dev/sdc; meta-disk internal; address 10.0.0.2:7790; }
}
```

## Fix safety

No automatic fix: the new port must also be opened in every firewall, and
only the admin knows which resource keeps the old one.

## Source

drbd-utils `user/v9/drbdadm_postparse.c` (address uniqueness, "is also used");
drbd.conf(5) v9 `address`; LINBIT users guide 9 `drbd-configure.adoc` ("every
resource listening on a separate port"); https://github.com/LINBIT/drbd-utils,
https://github.com/LINBIT/linbit-documentation, drbd.conf(5) at
https://manpages.debian.org/drbd.conf.5.
"""

from __future__ import annotations

from sanlint.rule import Context, Rule
from sanlint.views import ip
from sanlint_rules.drbd._common import host_addresses, own_host


def address_key(a) -> tuple[str, str, int]:
    family = "ssocks" if a.family == "sci" else a.family
    parsed = ip(a.address)
    return family, str(parsed) if parsed is not None else a.address, a.port


class PortClash(Rule):
    code = "DRBD101"
    name = "port-clash"
    severity = "error"
    reads = ("drbd",)

    def check(self, ctx: Context):
        for host in ctx.site.hosts.values():
            seen: dict[tuple, tuple[str, object]] = {}
            for res in host.drbd_resources:
                own = own_host(host, res)
                addrs = [(own.name, own.address)] if own is not None and own.address is not None \
                    else host_addresses(res)
                done = set()
                for hname, a in addrs:
                    key = address_key(a)
                    if key in done:
                        continue
                    done.add(key)
                    prev = seen.get(key)
                    if prev is None:
                        seen[key] = (res.name, a)
                        continue
                    if prev[0] == res.name:
                        continue
                    first = prev[1]
                    yield self.finding(
                        f"resources {prev[0]} and {res.name} both use {a.address}:{a.port} (host {hname}; "
                        f"{prev[0]} at {first.span.path}:{first.span.line}): drbdadm refuses the "
                        f"configuration and {res.name} can never connect; give {res.name} its own port",
                        a.span, identity=f"drbd resource {res.name} / address {key[1]}:{key[2]}")
