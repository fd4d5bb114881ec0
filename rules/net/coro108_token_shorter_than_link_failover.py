"""Token shorter than knet's link failover: a dead link is noticed only after the token is lost.

## What it checks

For each knet link of a host's corosync.conf (`totem { interface {
linknumber: N } }`): an explicit `knet_ping_timeout` that is not below the
token timeout corosync runs with (token plus `token_coefficient` per node
beyond two), and a `knet_ping_interval` / `knet_ping_timeout` written
without its partner.

## Why it matters

knet declares a link dead when no pong arrived within `knet_ping_timeout`
and only then moves traffic to the next link.  corosync derives the
default from the token (token / `knet_pong_count`) so that a link fails
over well inside one token timeout.  A `knet_ping_timeout` as long as the
token or longer means the token is lost before knet gives up on the
broken link: the redundant link exists, but every NIC or switch failure
still reforms the membership, and in a two-node SAN that is a fence
race.  corosync.conf(5): the two settings "are a pair, if one is
specified the other should be too, otherwise one will be calculated from
the token timeout and one will be taken from the config file".

## Example

```corosync path=etc/corosync/corosync.conf
totem {
    version: 2
    cluster_name: san
    transport: knet
    token: 3000
    crypto_cipher: aes256
    crypto_hash: sha256
    interface {
        linknumber: 0
        knet_ping_interval: 1000
        knet_ping_timeout: 5000
    }
    interface {
        linknumber: 1
        knet_ping_interval: 1000
        knet_ping_timeout: 5000
    }
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

```corosync path=etc/corosync/corosync.conf
totem {
    version: 2
    cluster_name: san
    transport: knet
    token: 10000
    crypto_cipher: aes256
    crypto_hash: sha256
    interface {
        linknumber: 0
        knet_ping_interval: 1000
        knet_ping_timeout: 5000
    }
    interface {
        linknumber: 1
        knet_ping_interval: 1000
        knet_ping_timeout: 5000
    }
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

No automatic fix: raise `token` or lower `knet_ping_timeout` (or remove
both ping settings so corosync derives them from the token).

## Source

corosync.conf(5) `knet_ping_interval`, `knet_ping_timeout` ("default is
token timeout / knet_pong_count"), `knet_pong_count`, `token`,
`token_coefficient`; corosync `exec/totemconfig.c`
(`totem_calc_knet_ping_timers`).
"""

from __future__ import annotations

from sanlint.rule import Rule
from sanlint.views import corosync_of
from sanlint_rules.net._common import totem_timing


class TokenShorterThanLinkFailover(Rule):
    code = "CORO108"
    name = "token-shorter-than-link-failover"
    severity = "warning"
    reads = ("corosync",)

    def check(self, ctx):
        for host in ctx.site.hosts.values():
            cfg = corosync_of(host)
            if cfg is None or cfg.version != "3":
                continue
            totem = cfg.section("totem")
            if totem is None:
                continue
            token = None
            where = f" on {host.name}" if host.name else ""
            for iface in totem.children("interface"):
                link = iface.value("linknumber") or iface.value("ringnumber") or "0"
                interval, timeout = iface.get("knet_ping_interval"), iface.get("knet_ping_timeout")
                if (interval is None) != (timeout is None):
                    given = interval or timeout
                    other = "knet_ping_timeout" if interval is not None else "knet_ping_interval"
                    yield self.finding(
                        f"knet link {link}{where} sets {given.name} without {other}: the pair is meant to be set "
                        f"together, corosync derives the missing one from the token",
                        given.span, identity=f"corosync link {link} / knet ping pair")
                if timeout is None or not (timeout.value or "").strip().isdigit():
                    continue
                if token is None:
                    token = totem_timing(cfg).values["token"]
                if int(timeout.value.strip()) >= token:
                    yield self.finding(
                        f"knet link {link}{where}: knet_ping_timeout {timeout.value.strip()} ms is not below the token "
                        f"timeout ({token} ms): the token is lost before knet declares the link dead and switches "
                        f"links, so a single link failure still reforms the membership",
                        timeout.span, identity=f"corosync link {link} / knet_ping_timeout")
