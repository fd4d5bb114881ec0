"""Unparsable address: a corosync address corosync cannot resolve, whatever the network.

## What it checks

Every `ringN_addr` of the `nodelist` and every `bindnetaddr` and
`mcastaddr` of `totem { interface { } }` in each host's corosync.conf.
corosync gives each value to getaddrinfo, so an IP address and a host name
(resolved when corosync starts; NET103 checks that /etc/hosts has it) are
both accepted.  Reported are values no resolver can turn into an address:

* a comment after the value (`ring0_addr: 10.0.1.1  # bond0`): corosync
  reads `#` comments only on lines of their own, so the comment is part of
  the value;
* a placeholder never filled in (`<NODE_IP>`, `${IP}`, `X.X.X.X`,
  `CHOOSE-...`);
* an IPv6 address in brackets (`[fd00::1]`, DRBD's and URLs' syntax);
* a malformed address (`10.0.0.300`), a blank or a character no host name
  has (`10.0.1.1,`).

## Why it matters

corosync refuses the whole file: "failed to parse node address
'10.0.1.1 # bond0'" (or "failed to parse bindnet address", "failed to
parse mcast address"), so the node does not start corosync, and a reload
(`corosync-cfgtool -R`) of an edited nodelist fails on every node.

## Example

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
		ring0_addr: 10.0.1.1	# bond0
	}
	node {
		name: san-2
		nodeid: 2
		ring0_addr: 10.0.1.2	# bond0
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
		# bond0
		ring0_addr: 10.0.1.1
	}
	node {
		name: san-2
		nodeid: 2
		# bond0
		ring0_addr: 10.0.1.2
	}
}
quorum {
	provider: corosync_votequorum
	two_node: 1
}
```

## Fix safety

No automatic fix: whether the text after the address is a comment, and
which address a placeholder stands for, is the admin's to say.

## Source

corosync `exec/totemip.c` `totemip_parse()` (getaddrinfo on the whole
value), `exec/totemconfig.c` `put_nodelist_members_to_config()` ("failed
to parse node address '%s'") and the interface reader ("failed to parse
bindnet address", "failed to parse mcast address"), `exec/coroparse.c`
(a `#` starts a comment only as the first non-blank of a line);
https://github.com/corosync/corosync.  Oracle: `corosync -t` 3.1.7
(tests/test_verdicts_storage.py).
"""

from __future__ import annotations

import re

from sanlint.rule import Rule
from sanlint.views import corosync_address_problem, corosync_of

_RING = re.compile(r"ring\d+_addr")
_MESSAGES = {"bindnetaddr": "failed to parse bindnet address", "mcastaddr": "failed to parse mcast address"}


def address_settings(cfg):
    """(section label, Setting) of every value corosync parses as an address."""
    for nl in cfg.root.children("nodelist"):
        for node in nl.children("node"):
            label = node.value("name") or node.value("nodeid") or "?"
            for s in node.settings:
                if _RING.fullmatch(s.name):
                    yield f"node {label}", s
    for totem in cfg.root.children("totem"):
        for itf in totem.children("interface"):
            number = itf.value("linknumber") or itf.value("ringnumber") or "0"
            for s in itf.settings:
                if s.name in _MESSAGES:
                    yield f"interface {number}", s


class UnparsableAddress(Rule):
    code = "CORO112"
    name = "unparsable-address"
    severity = "error"
    risk = "outage"
    reads = ("corosync",)

    def check(self, ctx):
        for host in ctx.site.hosts.values():
            cfg = corosync_of(host)
            if cfg is None:
                continue
            where = f" on {host.name}" if host.name else ""
            for label, s in address_settings(cfg):
                why = corosync_address_problem(s.value)
                if why is None:
                    continue
                said = _MESSAGES.get(s.name, "failed to parse node address")
                yield self.finding(
                    f"corosync{where} cannot parse {s.name} of {label}: {why}; corosync refuses the file "
                    f"(\"{said} '{(s.value or '').strip()}'\") and does not start",
                    s.span, identity=f"corosync {label} / {s.name}")
