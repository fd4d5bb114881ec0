"""Unprotected cluster traffic: totem messages are not authenticated or not encrypted.

## What it checks

The effective `totem` crypto settings of each host's corosync.conf, with
each corosync version's own defaults:

* corosync 1.x / openais: `secauth` is on unless it says `secauth: off`;
* corosync 2.x: aes256 + sha1 unless `secauth: off`; an explicit
  `crypto_cipher` / `crypto_hash` overrides either;
* corosync 3.x (knet): **none** unless `secauth: on` (aes256 + sha256) or
  `crypto_cipher` / `crypto_hash` are set, so a 3.x file that says nothing
  about crypto runs in clear text.

The rule fires when the effective cipher or the effective hash is `none`.
The version is the one the parser infers from the file (an `aisexec`
section or the Pacemaker plugin means 1.x, knet settings mean 3.x).  A
nodelist file with `transport: udpu` and no knet setting reads as 2.x and
so as encrypted by default; corosync 3 would run that same file in clear
text (it supports crypto only with knet): CORO109 reports that case when
the site shows corosync 3 (the `corosync-version` setting, another node's
knet file, or the collected package versions).

## Why it matters

Without an HMAC anyone who can send packets to the ring network can inject
totem messages: join or leave the membership, disturb quorum and get nodes
fenced.  Without a cipher the traffic is readable, and Pacemaker
replicates the whole CIB over it, including fence-device passwords and
iSCSI CHAP secrets stored as resource parameters.

## Example

```corosync path=etc/corosync/corosync.conf
totem {
    version: 2
    cluster_name: san
    transport: knet
    crypto_cipher: none
    crypto_hash: none
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

No automatic fix: turning crypto on needs the same `/etc/corosync/authkey`
on every node (`corosync-keygen`) and a restart of corosync on all nodes
at once (3.x can switch with `corosync-cfgtool -R` only between non-none
settings).

## Source

corosync.conf(5) `secauth`, `crypto_cipher`, `crypto_hash` (3.1: "The
default is none"); corosync `exec/totemconfig.c` `totem_get_crypto()` (2.x:
sha1/aes256 unless `secauth: off`; 3.x: none unless `secauth: on`);
openais.conf(5) / corosync 1.x `totemconfig.c` (`secauth = 1` by default).
"""

from __future__ import annotations

from sanlint.rule import Context, Rule
from sanlint.views import corosync_of
from sanlint_rules.net._common import effective_crypto


class ClusterTrafficUnprotected(Rule):
    code = "CORO101"
    name = "cluster-traffic-unprotected"
    severity = "warning"
    reads = ("corosync",)

    def check(self, ctx: Context):
        for host in ctx.site.hosts.values():
            cfg = corosync_of(host)
            if cfg is None:
                continue
            c = effective_crypto(cfg)
            where = f" on {host.name}" if host.name else ""
            if cfg.version == "1":
                if c.cipher != "none":
                    continue
                yield self.finding(
                    f"corosync{where} runs with `secauth: off`: totem messages are neither authenticated nor "
                    f"encrypted, so anyone on the ring network can disturb the membership, and the CIB "
                    f"(fence and CHAP passwords) travels in clear text",
                    c.cipher_span, identity="corosync totem / secauth")
                continue
            if c.cipher != "none" and c.hash != "none":
                continue
            how = "by default (corosync 3 encrypts nothing unless told to)" if c.defaulted else ""
            if c.cipher == "none" and c.hash == "none":
                what = "neither authenticated nor encrypted"
                span = c.hash_span
            elif c.hash == "none":
                what = f"not authenticated (crypto_hash none with crypto_cipher {c.cipher}, which corosync refuses)"
                span = c.hash_span
            else:
                what = f"authenticated ({c.hash}) but not encrypted (crypto_cipher none)"
                span = c.cipher_span
            yield self.finding(
                f"corosync {cfg.version}.x{where}: totem traffic is {what}{' ' + how if how else ''}: "
                f"the CIB, including fence and CHAP passwords, crosses the ring network readable"
                + ("" if c.hash != "none" else ", and forged totem messages can disturb the membership"),
                span, identity="corosync totem / crypto")
