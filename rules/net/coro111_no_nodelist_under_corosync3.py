"""No nodelist under corosync 3: corosync 3 does not start without a `nodelist`.

## What it checks

Each host's corosync.conf that has no `nodelist { node { ... } }` entry
(no node with a `name` or `ring0_addr`), on a site that runs corosync 3:
the `corosync-version` setting says 3, the packages collected from a host
(`installed-rpms`, `dpkg -l`) show corosync 3.x, or a corosync.conf of the
site uses knet syntax (this file's own `transport: knet` included).  A
file without a nodelist is valid corosync 1.x/2.x (multicast `udp` with
`totem { interface { bindnetaddr ... } }`), so where nothing tells which
version runs, the rule stays silent and `--verbose` says the version is
not known.

## Why it matters

corosync 3 finds the local node only in the nodelist (`find_local_node`
matches `uname -n` or a local address against the nodelist's `name` and
`ring0_addr`); without one, `totem_config_validate` refuses the file:
"parse error in config: No valid name found for local host", and corosync
exits with status 8.  This is what a corosync 2 multicast configuration
carried over an upgrade (Debian/Ubuntu's packaged corosync.conf, CentOS 6
style files) does: after the package upgrade the node never rejoins the
cluster.

## Example

```corosync path=etc/corosync/corosync.conf
totem {
	version: 2
	cluster_name: san
	crypto_cipher: aes256
	crypto_hash: sha256
	interface {
		ringnumber: 0
		bindnetaddr: 10.0.1.0
		mcastaddr: 239.255.1.1
		mcastport: 5405
	}
}
quorum {
	provider: corosync_votequorum
	expected_votes: 2
	two_node: 1
}
```

```text path=installed-rpms
corosync-3.1.7-1.el9.x86_64                                 Mon 04 Mar 2024 10:12:01 AM CET
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

```text path=installed-rpms
corosync-3.1.7-1.el9.x86_64                                 Mon 04 Mar 2024 10:12:01 AM CET
```

## Fix safety

No automatic fix: the nodelist needs each node's name, node id and
address, which the file does not hold.

## Source

corosync `exec/totemconfig.c` (3.x): `totem_config_read` looks for the
local node only "if there is a nodelist" (`nodelist.node.0.name` or
`ring0_addr`), `totem_config_validate` then fails with "No valid name found
for local host" when `nodelist.local_node_pos` is unset;
https://github.com/corosync/corosync.  corosync.conf(5) 3.x, `nodelist`.
Oracle: `corosync -t` 3.1.7 (tests/test_verdicts_storage.py).
"""

from __future__ import annotations

from sanlint.rule import Rule
from sanlint.site import infer_corosync
from sanlint.views import corosync_of


def has_nodelist(cfg) -> bool:
    """corosync's own test: a first node with `name` or `ring0_addr`."""
    return any(n.name or n.ring_addrs.get(0) for n in cfg.nodes)


class NoNodelistUnderCorosync3(Rule):
    code = "CORO111"
    name = "no-nodelist-under-corosync3"
    severity = "error"
    risk = "outage"
    reads = ("corosync",)

    def check(self, ctx):
        for host in ctx.site.hosts.values():
            cfg = corosync_of(host)
            if cfg is None or has_nodelist(cfg):
                continue
            if cfg.version == "3":
                major, why = "3", "the file uses knet syntax"
            else:
                major, why = infer_corosync(ctx.site, ctx.settings, skip=cfg)
            if major != "3":
                continue
            totem = cfg.section("totem")
            span = totem.span if totem is not None else cfg.span
            where = f" on {host.name}" if host.name else ""
            yield self.finding(
                f"corosync.conf{where} has no nodelist, and this site runs corosync 3 ({why}): corosync 3 finds "
                f"the local node only in the nodelist and refuses the file (\"No valid name found for local "
                f"host\"), so the node never joins the cluster; add a nodelist with each node's name, nodeid and "
                f"ring0_addr", span, identity="corosync / nodelist")
