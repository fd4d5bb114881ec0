"""Quorum settings contradict the node count: `two_node` with more than two nodes, or a wrong `expected_votes`.

## What it checks

The `quorum` section of each host's corosync.conf (votequorum) against the
nodes the file declares:

* `two_node: 1` while the nodelist has more than two nodes (or, without a
  nodelist, `expected_votes` is above 2);
* `expected_votes` given together with a nodelist, but different from the
  sum of the nodes' votes (`quorum_votes`, 1 by default).

## Why it matters

votequorum takes `quorum.expected_votes` over the value it computes from
the nodelist.  Set too high, the cluster needs more votes than exist and
loses quorum (and stops every resource) after one node failure, or never
becomes quorate; set too low, two halves of a partition can both be
quorate and both run the SAN: split brain, with DRBD and the iSCSI target
active twice.  `two_node: 1` forces quorum to 1 vote so either of two
nodes can run alone; with three or more nodes it is silently disabled, so
the file no longer says what the cluster does (and was probably copied
from another cluster).

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
        ring0_addr: 10.0.1.1
        ring1_addr: 10.0.2.1
    }
    node {
        name: san-2
        nodeid: 2
        ring0_addr: 10.0.1.2
        ring1_addr: 10.0.2.2
    }
    node {
        name: san-3
        nodeid: 3
        ring0_addr: 10.0.1.3
        ring1_addr: 10.0.2.3
    }
}
quorum {
    provider: corosync_votequorum
    two_node: 1
    expected_votes: 2
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
    node {
        name: san-3
        nodeid: 3
        ring0_addr: 10.0.1.3
        ring1_addr: 10.0.2.3
    }
}
quorum {
    provider: corosync_votequorum
}
```

## Fix safety

No automatic fix: whether to drop `expected_votes` or correct it, or to
drop `two_node` or a node, is the admin's decision.

## Source

votequorum(5): "If both are present at the same time, the
quorum.expected_votes value will override the one calculated from the
nodelist"; `two_node`: "If more than 2 nodes join the cluster, the
two_node option is automatically disabled"; corosync.conf(5) nodelist
`quorum_votes`; SUSE Trento checks 6E9B82 and C620DC.
"""

from __future__ import annotations

from sanlint.rule import Context, Rule
from sanlint.views import corosync_of


def _int(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


def _votes(text: str | None) -> int:
    v = _int(text)
    return 1 if v is None else v


class QuorumVotesContradictNodes(Rule):
    code = "CORO104"
    name = "quorum-votes-contradict-nodes"
    severity = "error"
    reads = ("corosync",)

    def check(self, ctx: Context):
        for host in ctx.site.hosts.values():
            cfg = corosync_of(host)
            quorum = cfg.section("quorum") if cfg else None
            if quorum is None:
                continue
            where = f" on {host.name}" if host.name else ""
            two_node = quorum.get("two_node")
            expected = quorum.get("expected_votes")
            nodes = len(cfg.nodes)
            sections = [s for nl in cfg.root.children("nodelist") for s in nl.children("node")]
            votes = sum(_votes(s.value("quorum_votes")) for s in sections)
            if two_node is not None and _int(two_node.value) == 1:
                if nodes > 2:
                    yield self.finding(
                        f"corosync{where} sets two_node: 1 but its nodelist has {nodes} nodes: votequorum "
                        f"disables two_node with more than two nodes, so the file does not say how the "
                        f"cluster keeps quorum",
                        two_node.span, identity="corosync quorum / two_node")
                elif not nodes and expected is not None and (_int(expected.value) or 0) > 2:
                    yield self.finding(
                        f"corosync{where} sets two_node: 1 with expected_votes {expected.value}: two_node only "
                        f"works for exactly two votes",
                        two_node.span, identity="corosync quorum / two_node")
            if expected is not None and nodes:
                ev = _int(expected.value)
                if ev is not None and ev != votes:
                    effect = ("more votes than the nodes have: the cluster loses quorum after one failure or "
                              "never becomes quorate" if ev > votes else
                              "fewer votes than the nodes have: both halves of a split can be quorate and run "
                              "the SAN at the same time")
                    yield self.finding(
                        f"corosync{where}: expected_votes {ev} overrides the {votes} votes of the {nodes} "
                        f"nodelist nodes, {effect}",
                        expected.span, identity="corosync quorum / expected_votes")
