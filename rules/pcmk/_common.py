"""Helpers shared by the PCMK rules: agent meta-data, durations, indexes
over a cluster configuration.  Text edits: `sanlint.edit.crm`,
`sanlint.edit.cib`, `sanlint.edit.cluster`."""

from __future__ import annotations

import json
import functools
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING


from sanlint.views import top_level

if TYPE_CHECKING:
    from sanlint.model import Site
    from sanlint.model.cluster import ClusterConfig


# -- values --------------------------------------------------------------------

def is_true(v: str | None) -> bool:
    return (v or "").strip().lower() in ("true", "yes", "y", "on", "1")


def is_false(v: str | None) -> bool:
    return (v or "").strip().lower() in ("false", "no", "n", "off", "0")


_UNITS_MS = {"": 1000, "s": 1000, "sec": 1000, "secs": 1000, "ms": 1, "msec": 1, "msecs": 1,
             "us": 0.001, "usec": 0.001, "m": 60000, "min": 60000, "mins": 60000,
             "h": 3600000, "hr": 3600000, "hrs": 3600000}
_ISO = re.compile(r"^P(?:T)?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$", re.I)


@functools.lru_cache(maxsize=4096)  # a site repeats the same few intervals and timeouts
def duration_ms(v: str | None) -> int | None:
    """Pacemaker's `crm_get_msec`: `20`, `20s`, `2min`, `500ms`, `PT20S`."""
    if v is None:
        return None
    s = str(v).strip().lower()
    if len(s) > 40:  # no real interval or timeout is this long (and float() of it may be inf)
        return None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-z]*)", s)
    if m and m.group(2) in _UNITS_MS:
        ms = float(m.group(1)) * _UNITS_MS[m.group(2)]
        return int(ms) if ms < 2.0**63 else None
    m = _ISO.match(str(v).strip())
    if m and any(m.groups()):
        h, mi, sec = (int(x or 0) for x in m.groups())
        return ((h * 60 + mi) * 60 + sec) * 1000
    return None


def fmt_ms(ms: int) -> str:
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


# -- roles and versions ---------------------------------------------------------

ROLE_ALIASES = {"master": "Promoted", "promoted": "Promoted", "slave": "Unpromoted", "unpromoted": "Unpromoted",
                "started": "Started", "stopped": "Stopped"}
OLD_ROLE = {"Promoted": "Master", "Unpromoted": "Slave"}


def norm_role(role: str | None) -> str | None:
    if role is None:
        return None
    return ROLE_ALIASES.get(role.lower(), role)


def promoted_name(version: str | None) -> str:
    """`Promoted` since Pacemaker 2.1 (schema 3.7), `Master` before."""
    return "Master" if version in ("1.1", "2.0") else "Promoted"


def role_name(role: str, version: str | None) -> str:
    r = norm_role(role) or role
    return OLD_ROLE.get(r, r) if version in ("1.1", "2.0") else r


# -- agent meta-data ----------------------------------------------------------

@dataclass(frozen=True)
class AgentParam:
    name: str
    required: bool
    unique: bool
    deprecated: bool
    type: str | None
    default: str | None


@dataclass(frozen=True)
class AgentAction:
    name: str
    timeout: str | None
    interval: str | None
    role: str | None
    depth: str | None


@dataclass(frozen=True)
class AgentMeta:
    agent: str
    params: dict[str, AgentParam]
    actions: tuple[AgentAction, ...]

    def action(self, name: str, role: str | None = None) -> AgentAction | None:
        """The advised action; for monitors the one of the op's role (else the first)."""
        cands = [a for a in self.actions if a.name == name]
        if not cands:
            return None
        if role is not None:
            for a in cands:
                if norm_role(a.role) == norm_role(role):
                    return a
        for a in cands:
            if a.role is None:
                return a
        return cands[0]


@lru_cache(maxsize=None)
def _load(file_name: str) -> dict | None:
    from importlib import resources

    try:
        ref = resources.files("sanlint.data").joinpath("agents").joinpath(file_name)
        if not ref.is_file():
            return None
        return json.loads(ref.read_text(encoding="utf-8"))
    except (OSError, ValueError, ModuleNotFoundError):
        return None


def _meta_from(data: dict) -> AgentMeta:
    params = {p["name"]: AgentParam(p["name"], bool(p.get("required")), bool(p.get("unique")),
                                    bool(p.get("deprecated")), p.get("type"), p.get("default"))
              for p in data.get("parameters", [])}
    actions = tuple(AgentAction(a["name"], a.get("timeout"), a.get("interval"), a.get("role"), a.get("depth"))
                    for a in data.get("actions", []))
    return AgentMeta(data.get("agent", ""), params, actions)


@lru_cache(maxsize=None)
def agent_meta(agent: str) -> AgentMeta | None:
    """Meta-data shipped with sanlint for `ocf:heartbeat:LVM-activate`,
    `stonith:fence_ipmilan`...; None for agents sanlint does not know
    (lsb:, systemd:, unknown OCF agents).  Fence agents get the parameters
    every stonith resource accepts (pacemaker-fenced's pcmk_*) as well."""
    data = _load(agent.replace(":", "_") + ".json")
    if data is None:
        return None
    meta = _meta_from(data)
    if agent.startswith("stonith:"):
        fenced = _load("pacemaker-fenced.json")
        if fenced:
            extra = _meta_from(fenced).params
            meta = AgentMeta(meta.agent, {**extra, **meta.params}, meta.actions)
    return meta


# -- cluster indexes ----------------------------------------------------------

def promotable_ids(cluster: "ClusterConfig") -> set[str]:
    return {c.id for c in cluster.clones() if c.promotable}


def positive(score: str | None) -> bool:
    """A colocation score that pulls resources together (default INFINITY)."""
    if score is None:
        return True
    s = score.strip().lower().lstrip("+")
    if s in ("inf", "infinity", "mandatory"):
        return True
    try:
        return int(s) > 0
    except ValueError:
        return not s.startswith("-")


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        p = self.parent.setdefault(x, x)
        while p != self.parent[p]:
            self.parent[p] = self.parent[self.parent[p]]
            p = self.parent[p]
        self.parent[x] = p
        return p

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


def colocation_index(cluster: "ClusterConfig") -> dict[str, set[int]]:
    """top-level resource id -> indexes of the positive colocations naming it."""
    from sanlint.model.cluster import Colocation

    out: dict[str, set[int]] = {}
    for i, c in enumerate(cluster.constraints):
        if isinstance(c, Colocation) and positive(c.score):
            for ref in c.resources:
                out.setdefault(top_level(cluster, ref.id), set()).add(i)
    return out


def _is_inf(score: str | None) -> bool:
    if score is None:
        return True  # crm `colocation c: A B` and a CIB without score are INFINITY
    return score.strip().lower().lstrip("+") in ("inf", "infinity")


def _count(clone, *names: str, default: int) -> int:
    for n in names:
        v = (clone.meta_value(n) or "").strip()
        if v.isdigit():
            return int(v)
    return default


def placement_key(cluster: "ClusterConfig", rid: str, role: str | None = None, action: str | None = None) -> str | None:
    """What a constraint reference pins to ONE node, for `held_together`:
    the top-level resource (a primitive or group, or a clone with
    `clone-max=1`), `CLONE@Promoted` for the promoted role (or the
    promote/demote action) of a promotable clone with one promoted
    instance; None for a clone running on several nodes at once (being
    colocated with "some instance" of it holds nothing together)."""
    from sanlint.model.cluster import Clone

    top = top_level(cluster, rid)
    res = cluster.resources.get(top)
    if not isinstance(res, Clone):
        return top
    if _count(res, "clone-max", default=0) == 1:
        return top
    promoted = norm_role(role) == "Promoted" or (action or "").lower() in ("promote", "demote")
    if promoted and res.promotable and _count(res, "promoted-max", "master-max", default=1) == 1:
        return f"{top}@Promoted"
    return None


def held_together(cluster: "ClusterConfig") -> "UnionFind":
    """Placement keys (`placement_key`) joined by INFINITY colocations,
    transitively: `A with B` and `B with C`, or `A with ms:Promoted` and
    `C with ms:Promoted`, put A and C on the same node whenever both run.
    Pacemaker Explained, "Colocation Properties" and ClusterLabs' "Colocation
    Explained": with an INFINITY score rsc
    runs only where with-rsc runs, so the relation is the same node in
    either direction; finite scores are preferences and join nothing.
    Resource sets join their members when every set is sequential."""
    from sanlint.model.cluster import Colocation

    cached = cluster.__dict__.get("_held_together")
    if cached is not None:
        return cached
    uf = UnionFind()
    for con in cluster.of_kind(Colocation):
        if not _is_inf(con.score):
            continue
        if con.sets and any(is_false(s.get("sequential")) for s in con.sets):
            continue
        if not con.sets and len(con.resources) != 2:
            continue
        keys = [placement_key(cluster, r.id, r.role) for r in con.resources]
        if None in keys:
            continue
        for k in keys[1:]:
            uf.union(keys[0], k)
    cluster.__dict__["_held_together"] = uf
    return uf


def drbd_host_count(site: "Site", res_name: str) -> int | None:
    """How many hosts the DRBD resource `res_name` has (its `on` sections),
    or None when no DRBD configuration defines it."""
    from sanlint.views import drbd_by_name

    defs = drbd_by_name(site).get(res_name)
    if not defs:
        return None
    best = 0
    for d in defs:
        names = {n for h in d.resource.hosts if h.kind in ("on", "floating") for n in h.names[:1]}
        best = max(best, len(names))
    return best or len({d.host.name for d in defs})


def two_node(site: "Site", cluster: "ClusterConfig") -> bool | None:
    """Is this a two-node cluster?  Pacemaker nodes first, then the corosync nodelist."""
    if cluster.nodes:
        return len({n.uname for n in cluster.nodes}) == 2
    names = set()
    for h in site.hosts.values():
        for cc in h.corosync:
            names.update(n.name or n.nodeid or "" for n in cc.nodes)
    names.discard("")
    if names:
        return len(names) == 2
    return None
