"""Totem timing corosync refuses: a timeout below its minimum, consensus below join, a value that is no number.

## What it checks

The `totem` timeouts of each host's corosync.conf as corosync computes
them (`totem_volatile_config_read`: token plus `token_coefficient` per
node beyond two, `token_retransmit` = token / (retransmits + 0.2), `hold`
= 0.8 × token_retransmit − 10, consensus = 1.2 × token unless written),
against what `totem_volatile_config_validate` refuses:

* `token`, `token_retransmit`, `join`, `consensus`, `merge`, `downcheck`,
  `max_network_delay` below 30 ms, `hold` below 14 ms (a small `token`
  with many `token_retransmits_before_loss_const` gives a
  `token_retransmit` below 30 ms: "Not appropriate token or
  token_retransmits_before_loss_const value set");
* `consensus` below `join`;
* `token_warning` above 100 (%);
* a timing value that is not an unsigned integer in milliseconds
  (`token: 5s`: the parser wants an integer).

## Why it matters

corosync does not start with such a file (`corosync -t` exits with status
8: "parse error in config: The consensus timeout parameter (3000 ms) may
not be less than join timeout (4000 ms)"); on a running cluster a reload
(`corosync-cfgtool -R`) rejects it, and the next restart of the node
leaves it out of the cluster.

## Example

```corosync path=etc/corosync/corosync.conf
totem {
    version: 2
    cluster_name: san
    transport: knet
    token: 5000
    join: 4000
    consensus: 3000
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
    token: 5000
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

No automatic fix: which of the two values is wrong is the admin's call.

## Source

corosync `exec/totemconfig.c` (`totem_volatile_config_read`,
`totem_volatile_config_validate`, `MINIMUM_TIMEOUT`,
`MINIMUM_TIMEOUT_HOLD`); corosync.conf(5) `token`, `token_retransmit`
("The minimum is 30 milliseconds"), `consensus`, `token_warning`.  Oracle:
`corosync -t` (tests/test_oracle_corosync_timing.py).
"""

from __future__ import annotations

from sanlint.rule import Rule
from sanlint.views import corosync_of
from sanlint_rules.net._common import MINIMUM_TIMEOUT, MINIMUM_TIMEOUT_HOLD, totem_timing

CHECKED = ("max_network_delay", "token", "token_retransmit", "hold", "join", "consensus", "merge", "downcheck")


class TotemTimingRefused(Rule):
    code = "CORO106"
    name = "totem-timing-refused"
    severity = "error"
    reads = ("corosync",)

    def check(self, ctx):
        for host in ctx.site.hosts.values():
            cfg = corosync_of(host)
            if cfg is None or cfg.section("totem") is None:
                continue
            t = totem_timing(cfg)
            totem = cfg.section("totem")
            where = f" on {host.name}" if host.name else ""
            for s in t.bad:
                yield self.finding(
                    f"totem {s.name}{where} is \"{s.value}\": corosync wants an integer number of milliseconds "
                    f"and refuses the file", s.span, identity=f"corosync totem / {s.name}")
            problem = self.first_problem(t)
            if problem is None:
                continue
            name, text = problem
            setting = t.written.get(name) or (t.written.get("token") if name in ("token_retransmit", "hold") else None)
            yield self.finding(f"corosync{where} refuses its totem timing: {text}",
                               (setting or totem).span, identity=f"corosync totem / {name}")

    @staticmethod
    def first_problem(t) -> tuple[str, str] | None:
        """The first check `totem_volatile_config_validate` fails, in its order."""
        v = t.values
        for name in CHECKED:
            minimum = MINIMUM_TIMEOUT_HOLD if name == "hold" else MINIMUM_TIMEOUT
            if v[name] < minimum:
                if name == "token_retransmit" and "token_retransmit" not in t.written:
                    return name, (f"token {v['token']} ms / (token_retransmits_before_loss_const "
                                  f"{v['token_retransmits_before_loss_const']} + 0.2) gives a token_retransmit of "
                                  f"{v[name]} ms, below the {minimum} ms minimum")
                computed = "" if name in t.written else " (computed)"
                return name, f"{name} {v[name]} ms{computed} is below the {minimum} ms minimum"
            if name == "token" and v["token_warning"] > 100:
                return "token_warning", f"token_warning {v['token_warning']}% is above 100"
            if name == "consensus" and v["consensus"] < v["join"]:
                return "consensus", f"consensus {v['consensus']} ms may not be less than join {v['join']} ms"
        return None
