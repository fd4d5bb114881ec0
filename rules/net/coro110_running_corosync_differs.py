"""Running corosync differs from corosync.conf: the values corosync runs with (`corosync-cmapctl`) are not the file's.

## What it checks

On a host whose `corosync-cmapctl` output was collected (sosreport:
`sos_commands/corosync/corosync-cmapctl`), compares what corosync holds
in memory with the host's corosync.conf:

* the effective totem timeouts (`runtime.config.totem.token`,
  `consensus`, `join`, `token_retransmit`, `hold`, `merge`, `downcheck`,
  `token_retransmits_before_loss_const`, ...) against the values
  corosync computes from the file (as CORO106 does);
* `totem.transport`, `totem.crypto_cipher`, `totem.crypto_hash`,
  `totem.cluster_name`, `quorum.two_node`, `quorum.expected_votes` and
  each node's `ringN_addr` against what the file writes.

## Why it matters

corosync reads corosync.conf at start and on `corosync-cfgtool -R`; an
edited file that was never reloaded (or a reload corosync refused) means
the cluster runs on settings nobody can see in the file, and the next
restart of any node (a reboot, a failover test) applies the file's,
possibly splitting that node off from the others that still run the old
ones.  A finding here is a change waiting to happen.

## Example

```corosync path=etc/corosync/corosync.conf
totem {
    version: 2
    cluster_name: san
    transport: knet
    token: 10000
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

```text path=sos_commands/corosync/corosync-cmapctl
nodelist.local_node_pos (u32) = 0
nodelist.node.0.name (str) = san-1
nodelist.node.0.nodeid (u32) = 1
nodelist.node.0.ring0_addr (str) = 10.0.1.1
nodelist.node.1.name (str) = san-2
nodelist.node.1.nodeid (u32) = 2
nodelist.node.1.ring0_addr (str) = 10.0.1.2
quorum.provider (str) = corosync_votequorum
quorum.two_node (u8) = 1
runtime.config.totem.consensus (u32) = 3600
runtime.config.totem.token (u32) = 3000
totem.cluster_name (str) = san
totem.crypto_cipher (str) = aes256
totem.crypto_hash (str) = sha256
totem.transport (str) = knet
totem.version (u32) = 2
```

## Use instead

```corosync path=etc/corosync/corosync.conf
totem {
    version: 2
    cluster_name: san
    transport: knet
    token: 3000
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

```text path=sos_commands/corosync/corosync-cmapctl
nodelist.local_node_pos (u32) = 0
nodelist.node.0.name (str) = san-1
nodelist.node.0.nodeid (u32) = 1
nodelist.node.0.ring0_addr (str) = 10.0.1.1
nodelist.node.1.name (str) = san-2
nodelist.node.1.nodeid (u32) = 2
nodelist.node.1.ring0_addr (str) = 10.0.1.2
quorum.provider (str) = corosync_votequorum
quorum.two_node (u8) = 1
runtime.config.totem.consensus (u32) = 3600
runtime.config.totem.token (u32) = 3000
totem.cluster_name (str) = san
totem.crypto_cipher (str) = aes256
totem.crypto_hash (str) = sha256
totem.transport (str) = knet
totem.version (u32) = 2
```

## Fix safety

No automatic fix: either reload the file (`corosync-cfgtool -R` on one
node applies it everywhere) or put the running value back into the file.

## Source

corosync-cmapctl(8); corosync `tools/corosync-cmapctl.c` (`print_key`:
`KEY (TYPE) = VALUE`), `exec/totemconfig.c` (`runtime.config.totem.*`
hold the effective timeouts), corosync.conf(5) ("For real token timeout
used by totem it's possible to read cmap value of
runtime.config.totem.token"); corosync-cfgtool(8) `-R`; sos
`sos/report/plugins/corosync.py` (collects `corosync-cmapctl`); SUSE
Trento FB0E0D, 53D035, 822E47, 15F7A8, 7E0221, D78671 (runtime values).
"""

from __future__ import annotations

from sanlint.rule import Rule
from sanlint.views import corosync_of
from sanlint_rules.net._common import totem_timing

TIMING = ("token", "consensus", "join", "token_retransmit", "hold", "merge", "downcheck",
          "token_retransmits_before_loss_const", "max_network_delay", "token_warning")
WRITTEN = (("totem", "transport"), ("totem", "crypto_cipher"), ("totem", "crypto_hash"), ("totem", "cluster_name"),
           ("quorum", "two_node"), ("quorum", "expected_votes"))


class RunningCorosyncDiffers(Rule):
    code = "CORO110"
    name = "running-corosync-differs"
    severity = "warning"
    reads = ("corosync", "live")

    def check(self, ctx):
        for h in ctx.site.hosts.values():
            cfg = corosync_of(h)
            if cfg is None or not h.cmap:
                continue
            cmap = h.cmap[0]
            where = h.name or "this host"
            t = totem_timing(cfg)
            totem = cfg.section("totem")
            live_token = cmap.get("runtime.config.totem.token")
            token_differs = live_token is not None and live_token.strip() != str(t.values["token"])
            for k in TIMING:
                running = cmap.get(f"runtime.config.totem.{k}")
                if running is None or not running.strip().isdigit():
                    continue
                if k != "token" and k not in t.written and token_differs:
                    continue  # computed from the token, which is reported itself
                if int(running) != t.values[k]:
                    s = t.written.get(k)
                    file_says = f"corosync.conf gives {t.values[k]}" + ("" if s is not None else " (computed)")
                    yield self.finding(
                        f"corosync on {where} runs with {k} {running} ms but {file_says}: the next restart or reload "
                        f"changes it", (s or totem or cfg).span if s is not None or totem is not None else cfg.span,
                        identity=f"corosync running / totem.{k}")
            for sec, k in WRITTEN:
                section = cfg.section(sec)
                s = section.get(k) if section is not None else None
                running = cmap.get(f"{sec}.{k}")
                if s is None or running is None or (s.value or "").strip() == running.strip():
                    continue
                yield self.finding(
                    f"corosync on {where} runs with {sec}.{k} = {running} but corosync.conf says {s.value.strip()}: "
                    f"the next restart or reload changes it", s.span, identity=f"corosync running / {sec}.{k}")
            running_nodes = {}
            for key, v in cmap.values.items():
                parts = key.split(".")
                if len(parts) == 4 and parts[0] == "nodelist" and parts[1] == "node" and parts[3].startswith("ring"):
                    running_nodes.setdefault(parts[2], {})[parts[3]] = v.value
                if len(parts) == 4 and parts[0] == "nodelist" and parts[1] == "node" and parts[3] == "nodeid":
                    running_nodes.setdefault(parts[2], {})["nodeid"] = v.value
            by_id = {r.get("nodeid"): r for r in running_nodes.values()}
            for node in cfg.nodes:
                r = by_id.get(node.nodeid)
                if r is None:
                    continue
                for n, addr in node.ring_addrs.items():
                    live = r.get(f"ring{n}_addr")
                    if live is not None and live != addr:
                        yield self.finding(
                            f"corosync on {where} runs with ring{n}_addr {live} for node {node.name or node.nodeid} "
                            f"but corosync.conf says {addr}: the next restart or reload changes it",
                            node.span, identity=f"corosync running / node {node.nodeid} / ring{n}_addr")
