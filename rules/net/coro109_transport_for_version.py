"""Transport that the corosync version does not serve well: udp/udpu under corosync 3.

## What it checks

A corosync.conf with `transport: udpu` or `transport: udp` running under
corosync 3.  Under 3 only knet has crypto and several links, so:

* error: `crypto_cipher`/`crypto_hash` other than `none`, or `secauth: on`
  (corosync refuses: "crypto_cipher & crypto_hash are only valid for the
  Knet transport"), or more than one ring (refused: "2 is too many
  configured interfaces for non-Knet transport");
* warning: otherwise, the cluster runs with a single ring and in clear
  text.

The version is corosync 3 when the `corosync-version` setting says so,
when any host's corosync.conf uses knet syntax, or when the packages
collected from a host show corosync 3.x (a udpu file is valid corosync 2
syntax, so the file alone cannot tell).

## Why it matters

A file carried over from corosync 2 (where udpu encrypted with
aes256/sha1 by default and RRP gave two rings) silently loses both on
corosync 3: totem traffic, including the CIB with fence and CHAP
passwords, crosses the network readable, and one NIC or switch failure
partitions the cluster.  This closes the gap CORO101 admits (it reads
such a file as 2.x, encrypted by default).

## Example

```corosync path=etc/corosync/corosync.conf
totem {
    version: 2
    cluster_name: san
    transport: udpu
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

```corosync path=san-2:etc/corosync/corosync.conf
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

No automatic fix: switching to knet needs the authkey on every node and a
restart of corosync on all nodes at once.

## Source

corosync.conf(5) `transport` (3.x: "The default is knet ... Only KNET
allows crypto or multiple interfaces per node"), `crypto_cipher`,
`crypto_hash`, `linknumber` ("For UDP the only supported linknumber is
0"); corosync `exec/totemconfig.c` (the two refusals quoted above).
Oracle: `corosync -t` (tests/test_oracle_corosync_timing.py).
"""

from __future__ import annotations

from sanlint.rule import Rule
from sanlint.views import corosync_of
from sanlint_rules.net._common import corosync_major


class TransportForVersion(Rule):
    code = "CORO109"
    name = "transport-for-version"
    severity = "warning"
    reads = ("corosync",)

    def check(self, ctx):
        for host in ctx.site.hosts.values():
            cfg = corosync_of(host)
            totem = cfg.section("totem") if cfg is not None else None
            if totem is None:
                continue
            transport = totem.get("transport")
            if transport is None or (transport.value or "").strip() not in ("udpu", "udp"):
                continue
            major, why = corosync_major(ctx.site, cfg, ctx.settings)
            if major != "3":
                continue
            t = transport.value.strip()
            where = f" on {host.name}" if host.name else ""
            refused = []
            for name in ("crypto_cipher", "crypto_hash"):
                s = totem.get(name)
                if s is not None and (s.value or "").strip() not in ("", "none"):
                    refused.append((s, f"{name}: {s.value.strip()} (\"crypto_cipher & crypto_hash are only valid for the Knet transport\")"))
            secauth = totem.get("secauth")
            if secauth is not None and (secauth.value or "").strip() == "on":
                refused.append((secauth, "secauth: on (it means crypto, which only knet has)"))
            rings = {n for node in cfg.nodes for n in node.ring_addrs} | {i.number for i in cfg.interfaces}
            if len(rings) > 1:
                refused.append((transport, f"{len(rings)} rings (\"too many configured interfaces for non-Knet transport\")"))
            if refused:
                for s, what in refused:
                    yield self.finding(
                        f"corosync 3 ({why}) refuses transport {t}{where} with {what}: corosync does not start; "
                        f"use transport: knet", s.span, identity=f"corosync totem / transport {t} / {s.name}",
                        severity="error")
                continue
            yield self.finding(
                f"transport {t}{where} under corosync 3 ({why}): no crypto and a single ring (only knet has "
                f"either), so the CIB with fence and CHAP passwords crosses the network in clear text and one "
                f"NIC failure partitions the cluster; use transport: knet",
                transport.span, identity=f"corosync totem / transport {t}")
