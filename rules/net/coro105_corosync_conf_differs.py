"""corosync.conf differs between nodes.

## What it checks

The parsed corosync.conf of every host, compared setting by setting
(comments, blank lines, indentation and the order of keys inside a section
do not matter; repeated sections such as `nodelist { node { } }` are
compared in order).  Hosts are grouped by identical configuration; when
one group holds the majority the others are reported against it, on a tie
every host is reported against another.  The message names the first
differing setting on each side.

Two per-node settings of older releases are exempt: `totem.nodeid`
(corosync 1.x/2.x without a nodelist) may differ, and `bindnetaddr`
values are equal when they lie in the same network (a host address is
masked to its network by corosync; /24 assumed for IPv4, /64 for IPv6).

## Why it matters

votequorum requires its values to be "consistent across all the nodes
participating in the cluster or votequorum behavior will be
unpredictable"; different token timeouts, crypto settings or nodelists
make nodes form different memberships or fail to talk at all, and the
difference only shows at the next restart or failover.  `pcs cluster sync`
and `crm cluster copy` exist to keep the file identical.

## Example

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

```corosync path=san-2:etc/corosync/corosync.conf
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

```corosync path=san-2:etc/corosync/corosync.conf
# copied with `crm cluster copy /etc/corosync/corosync.conf`
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

No automatic fix: which node's file is right is a decision; then copy it
to all nodes (`pcs cluster sync`, `crm cluster copy`) and reload.

## Source

votequorum(5) ("very important that those values are consistent across all
the nodes"); corosync.conf(5); SUSE Trento check BA215C ("corosync.conf
identical on all nodes").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sanlint.model.base import REDACTED, is_secret
from sanlint.rule import Context, Rule
from sanlint.views import corosync_of
from sanlint_rules.net._common import implied_network

if TYPE_CHECKING:
    from sanlint.model.corosync import CorosyncConfig, CorosyncSection
    from sanlint.source import Span

EXEMPT = {"totem.nodeid"}


@dataclass
class Item:
    value: str
    span: "Span"
    key: str  # the comparison value


def flatten(cfg: "CorosyncConfig") -> tuple[dict[str, Item], dict[str, "Span"]]:
    """`path -> Item` for every setting, and `path -> span` for every section."""
    items: dict[str, Item] = {}
    sections: dict[str, "Span"] = {}

    def walk(sec: "CorosyncSection", prefix: str) -> None:
        for s in sec.settings:
            path = f"{prefix}{s.name}"
            if path in EXEMPT:
                continue  # a repeated key: the last one wins, as in cmap
            value = (s.value or "").strip()
            key = value
            if s.name == "bindnetaddr":
                net = implied_network(value)
                key = str(net) if net is not None else value
            items[path] = Item(value, s.span, key)
        counts: dict[str, int] = {}
        for child in sec.sections:
            i = counts.get(child.name, 0)
            counts[child.name] = i + 1
            cpath = f"{prefix}{child.name}" + (f"[{i}]" if i or _repeated(sec, child.name) else "")
            sections[cpath] = child.span
            walk(child, cpath + ".")

    walk(cfg.root, "")
    return items, sections


def _repeated(sec: "CorosyncSection", name: str) -> bool:
    return len(sec.children(name)) > 1 or name in ("node", "interface")


def first_difference(a: dict[str, Item], b: dict[str, Item]) -> str | None:
    for path, item in a.items():
        other = b.get(path)
        if other is None or other.key != item.key:
            return path
    for path in b:
        if path not in a:
            return path
    return None


def _loc(span: "Span") -> str:
    return f"{span.path}:{span.line}"


class CorosyncConfDiffers(Rule):
    code = "CORO105"
    name = "corosync-conf-differs"
    severity = "error"
    reads = ("corosync",)

    def check(self, ctx: Context):
        flat = []  # (host, cfg, items, sections, signature)
        for host in ctx.site.hosts.values():
            cfg = corosync_of(host)
            if cfg is None or not host.name:
                continue
            items, sections = flatten(cfg)
            sig = tuple(sorted((p, i.key) for p, i in items.items()))
            flat.append((host, cfg, items, sections, sig))
        if len(flat) < 2:
            return
        groups: dict[tuple, list] = {}
        for entry in flat:
            groups.setdefault(entry[4], []).append(entry)
        if len(groups) < 2:
            return
        ordered = sorted(groups.values(), key=len, reverse=True)
        majority = len(ordered[0]) > len(ordered[1])
        for gi, group in enumerate(ordered):
            if majority and gi == 0:
                continue
            ref_group = ordered[1] if gi == 0 else ordered[0]
            ref = ref_group[0]
            for entry in group:
                yield self._finding(entry, ref)

    def _finding(self, entry, ref):
        host, cfg, items, sections, _ = entry
        rhost, rcfg, ritems, rsections, _ = ref
        path = first_difference(items, ritems)
        mine, theirs = items.get(path), ritems.get(path)
        if is_secret(path.rsplit(".", 1)[-1]):  # never show a key's value
            mine = Item(REDACTED, mine.span, mine.key) if mine is not None else None
            theirs = Item(REDACTED, theirs.span, theirs.key) if theirs is not None else None
        if mine is not None and theirs is not None:
            what = f"{path} is {mine.value!r} here but {theirs.value!r} on {rhost.name} ({_loc(theirs.span)})"
            span = mine.span
        elif mine is not None:
            what = f"{path} is {mine.value!r} here but not set on {rhost.name}"
            span = mine.span
        else:
            what = f"{path} is {theirs.value!r} on {rhost.name} ({_loc(theirs.span)}) but not set here"
            span = _section_span(path, sections) or cfg.span
        return self.finding(
            f"corosync.conf on {host.name} differs from {rhost.name}'s: {what}; the file must be identical "
            f"on every node, or nodes disagree about membership, quorum and crypto",
            span, identity=f"corosync.conf on {host.name} / {path}")


def _section_span(path: str, sections: dict[str, "Span"]):
    """The span of the innermost existing section on `path`."""
    parts = path.split(".")[:-1]
    while parts:
        span = sections.get(".".join(parts))
        if span is not None:
            return span
        parts.pop()
    return None
