"""Bad address: an invalid IP address, a port outside 1-65535, or two peers with the same address.

## What it checks

Every `address` of a resource (host sections, `floating`, DRBD 9
connection endpoints and paths, 8.4 `alternate-link-address`): the IP must
be a valid IPv4 address (each part 0-255) or IPv6 address, the port must
be 1-65535, and two host sections of one resource (or the two ends of one
connection path) must not use the same IP.

## Why it matters

drbdadm rejects a port out of range ("port 99999 => 99999 out of range
[1..65535]") and refuses the whole file; an impossible IPv4 address is
only refused when the kernel connects.  Two peers with the same address
cannot both listen on it: drbdadm 9 stops with "BAD LUCK, equal hashes"
(or "is used for both endpoints"), 8.4 connects the node to itself and the
resource never replicates.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:77890; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
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

No automatic fix: only the admin knows the right address.

## Source

drbd-utils `user/v9/drbdadm_parser.c` `__parse_address()` (port range check)
and `user/v9/drbdadm_postparse.c` `generate_implicit_node_id()` ("BAD LUCK,
equal hashes"); https://github.com/LINBIT/drbd-utils.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from sanlint.rule import Context, Rule
from sanlint_rules.drbd._common import host_resources


def _all_addresses(res):
    for h in res.hosts:
        for a in (h.address, h.alternate_address):
            if a is not None:
                yield h.name or h.kind, a
    for c in res.connections:
        for ep in c.endpoints + [e for p in c.paths for e in p.endpoints]:
            if ep.address is not None:
                yield ep.host or ep.kind, ep.address


def _invalid(a) -> str | None:
    return _invalid_address(a.family == "ipv6", a.address)


@lru_cache(maxsize=65536)  # each address is named by many resources
def _invalid_address(v6: bool, address: str) -> str | None:
    try:
        if v6:
            ipaddress.IPv6Address(address.split("%")[0])
        else:
            ipaddress.IPv4Address(address)
    except ValueError:
        return f"{address} is not a valid {'IPv6' if v6 else 'IPv4'} address"
    return None


class BadAddress(Rule):
    code = "DRBD107"
    name = "bad-address"
    severity = "error"
    reads = ("drbd",)

    def check(self, ctx: Context):
        for host, res in host_resources(ctx.site):
            done: set[int] = set()
            for who, a in _all_addresses(res):
                if a.span.start in done:
                    continue
                done.add(a.span.start)
                problems = []
                bad = _invalid(a)
                if bad:
                    problems.append(bad)
                if not 1 <= a.port <= 65535:
                    problems.append(f"port {a.port} is outside 1-65535 (drbdadm refuses the file)")
                if problems:
                    yield self.finding(f"resource {res.name}, host {who}: {'; '.join(problems)}", a.span,
                                       identity=f"drbd resource {res.name} / address of {who}")
            groups = [[(h.name or h.kind, h.address) for h in res.hosts if h.kind == "on" and h.address]]
            groups += [[(e.host or e.kind, e.address) for e in p.endpoints if e.address]
                       for c in res.connections for p in c.paths]
            reported: set[int] = set()
            for group in groups:
                seen: dict[tuple[str, str], str] = {}
                for who, a in group:
                    key = (a.family, a.address)
                    if key in seen and seen[key] != who and a.span.start not in reported:
                        reported.add(a.span.start)
                        yield self.finding(
                            f"resource {res.name}: hosts {seen[key]} and {who} both have address {a.address}: "
                            f"the peers cannot both listen there, so the resource never connects",
                            a.span, identity=f"drbd resource {res.name} / address of {who} / same as {seen[key]}")
                    seen.setdefault(key, who)
