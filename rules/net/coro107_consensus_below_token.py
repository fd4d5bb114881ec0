"""Consensus below 1.2 × token: corosync.conf(5)'s minimum for `consensus`.

## What it checks

A `consensus` written in `totem { }` below 1.2 × the token timeout
corosync runs with (`token`, plus `token_coefficient` for each node
beyond two).  corosync itself computes 1.2 × token when `consensus` is
not written, so only a written value can be too small.

## Why it matters

consensus is how long a node waits for agreement before starting a new
membership round.  Shorter than the token timeout, a node gives up on
consensus while the token may still arrive: on a busy or lossy ring the
membership flaps, and each change makes Pacemaker re-elect, re-probe and
possibly fence.  A common way to get here is raising `token` (to ride out
a slow link) and forgetting the `consensus` tuned for the old value.
corosync.conf(5): "The minimum value for consensus must be 1.2 * token."
(The man page tolerates less for two nodes as long as it stays above
`join`; sanlint holds every cluster to the stated minimum, since nothing
is gained by going below it.)  corosync does not refuse such a value
(`corosync -t` accepts it), so nothing else reports it.

## Example

```corosync path=etc/corosync/corosync.conf
totem {
    version: 2
    cluster_name: san
    transport: knet
    token: 10000
    consensus: 6000
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

```corosync path=etc/corosync/corosync.conf
totem {
    version: 2
    cluster_name: san
    transport: knet
    token: 10000
    consensus: 12000
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

Unsafe fix: the `consensus` line is removed, so corosync computes 1.2 ×
token itself (and keeps doing so when token changes).  It changes the
membership timing: apply the file on every node and reload
(`corosync-cfgtool -R`).

## Source

corosync.conf(5) `consensus`; corosync `exec/totemconfig.c`
(`totem_volatile_config_read`: consensus defaults to 1.2 × token, token
grows by `token_coefficient` per node beyond two).  SUSE Trento A1244C
checks `consensus` against a vendor value (6000 ms) instead of the
relation.  Oracle: `corosync -t` accepts such a file (the rule says what
corosync does not).
"""

from __future__ import annotations

from sanlint.rule import Edit, Fix, Rule
from sanlint.views import corosync_of
from sanlint_rules.net._common import totem_timing


class ConsensusBelowToken(Rule):
    code = "CORO107"
    name = "consensus-below-token"
    severity = "warning"
    reads = ("corosync",)
    fix = "unsafe"

    def check(self, ctx):
        for host in ctx.site.hosts.values():
            cfg = corosync_of(host)
            if cfg is None:
                continue
            t = totem_timing(cfg)
            written = t.written.get("consensus")
            if written is None:
                continue
            token, consensus = t.values["token"], t.values["consensus"]
            if consensus * 10 >= token * 12:
                continue
            where = f" on {host.name}" if host.name else ""
            how = f" ({t.nodes} nodes: token {t.values['token'] - (t.nodes - 2) * t.values['token_coefficient']} ms + token_coefficient)" \
                if t.nodes > 2 and cfg.version != "1" else ""
            yield self.finding(
                f"totem consensus{where} is {consensus} ms, below 1.2 × token = {int(token * 1.2)} ms{how}: "
                f"a node can give up on consensus while the token is still on its way, and the membership flaps",
                written.span, identity="corosync totem / consensus",
                fix=Fix([Edit.delete_lines(written.span)], "remove consensus (corosync then uses 1.2 × token)",
                        safe=False))
