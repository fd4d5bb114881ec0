"""Node address differs between /etc/hosts files: a node name resolves to different addresses on different hosts, or twice on one.

## What it checks

For every node name the cluster uses (Pacemaker nodes, corosync nodelist
names and ring names, DRBD `on` names, as NET103 collects them), the
address each host's `/etc/hosts` gives it, looked up the way glibc's
files backend does (case-insensitive, the first line listing the name
wins, per address family):

* the name resolves to different addresses on different hosts (reported
  on the hosts that disagree with the others; with two hosts, on the
  second);
* one file lists the name on two lines with different addresses of one
  family (the later line is never used).

## Why it matters

Each node resolves the names on its own: corosync binds to the address
its own name resolves to, DRBD's `on` sections and handlers look peers up
by name, Pacemaker and fence devices address nodes by name.  When the
files disagree, the nodes disagree about who is where: the classic case
is the Debian installer's `127.0.1.1 <hostname>` line, which makes a node
resolve its own name to loopback (corosync then binds to 127.0.1.1 and
the node forms a cluster of one), while the others resolve it to its real
address.  A name listed twice in one file hides the second address:
editing "the" line for a re-addressed node then changes nothing.

## Example

```hosts path=etc/hosts
127.0.0.1   localhost
10.0.1.1    san-1
10.0.1.2    san-2
```

```hosts path=san-2:etc/hosts
127.0.0.1   localhost
127.0.1.1   san-2
10.0.1.1    san-1
10.0.1.2    san-2
```

```crm path=@cluster.crm
node san-1
node san-2
```

## Use instead

```hosts path=etc/hosts
127.0.0.1   localhost
10.0.1.1    san-1
10.0.1.2    san-2
```

```hosts path=san-2:etc/hosts
127.0.0.1   localhost
10.0.1.1    san-1
10.0.1.2    san-2
```

```crm path=@cluster.crm
node san-1
node san-2
```

## Fix safety

No automatic fix: which address is right is the admin's knowledge (for a
`127.0.1.1` line: delete it, or keep it for a name the cluster does not
use).

## Source

hosts(5) and glibc `nss/nss_files/files-hosts.c` (the first matching line
wins unless `multi on` in host.conf(5)); Debian Reference, "The hostname
resolution" (the installer's `127.0.1.1` line for the system's host
name); corosync.conf(5) `ringX_addr` ("IP or network hostname address of
the particular node"); SUSE Trento 438525 (cluster hostnames resolution:
every node in /etc/hosts, which NET103 covers).
"""

from __future__ import annotations

import ipaddress
from collections import Counter

from sanlint.rule import Context, Rule
from sanlint_rules.net.net103_node_name_not_in_etc_hosts import used_names


def _family(addr: str) -> int:
    try:
        return ipaddress.ip_address(addr.split("%", 1)[0]).version
    except ValueError:
        return 0


def lookup(host, low: str) -> dict[int, list]:
    """family -> the entries listing `low`, in file order (the first is what glibc returns)."""
    out: dict[int, list] = {}
    for e in host.etc_hosts:
        if any(n.lower() == low for n in e.names):
            out.setdefault(_family(e.address), []).append(e)
    return out


class NodeAddressDiffers(Rule):
    code = "NET104"
    name = "node-address-differs"
    severity = "warning"
    reads = ("cluster", "corosync", "drbd", "network")

    def check(self, ctx: Context):
        hosts = [h for h in ctx.site.hosts.values() if h.has_etc_hosts]
        if not hosts:
            return
        for low, label in used_names(ctx.site).items():
            firsts: dict[int, list[tuple[object, object]]] = {}
            for h in hosts:
                for fam, entries in lookup(h, low).items():
                    firsts.setdefault(fam, []).append((h, entries[0]))
                    shadowed = [e for e in entries[1:] if e.address != entries[0].address]
                    for e in shadowed:
                        yield self.finding(
                            f"/etc/hosts{' on ' + h.name if h.name else ''} lists {label} again with {e.address}, "
                            f"but line {entries[0].span.line} already gives it {entries[0].address}: this line is "
                            f"never used",
                            e.span, identity=f"/etc/hosts on {h.name or '?'} / name {low} / {e.address}")
            for fam, pairs in firsts.items():
                counts = Counter(e.address for _, e in pairs)
                if len(counts) < 2:
                    continue
                top = max(counts.values())
                majority = next(e.address for _, e in pairs if counts[e.address] == top)
                others = ", ".join(sorted({f"{h.name or '?'}: {e.address}" for h, e in pairs}))
                for h, e in pairs:
                    if e.address == majority:
                        continue
                    loop = " (a loopback address: this node's corosync and DRBD would bind to it)" \
                        if ipaddress.ip_address(e.address.split("%", 1)[0]).is_loopback else ""
                    yield self.finding(
                        f"{label} resolves to {e.address} in /etc/hosts on {h.name or 'this host'}{loop} but to "
                        f"{majority} elsewhere ({others}): the nodes disagree about where this node is",
                        e.span, identity=f"/etc/hosts on {h.name or '?'} / name {low} / address")
