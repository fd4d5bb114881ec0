"""Helpers shared by the PCMK rules: agent meta-data, durations, indexes
over a cluster configuration, and byte-span edits that work on crm text
and on CIB XML alike."""

from __future__ import annotations

import json
import functools
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable

from sanlint.rule import Edit
from sanlint.source import SourceFile, Span

if TYPE_CHECKING:
    from sanlint.model import Site
    from sanlint.model.cluster import ClusterConfig, Primitive


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
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-z]*)", s)
    if m and m.group(2) in _UNITS_MS:
        return int(float(m.group(1)) * _UNITS_MS[m.group(2)])
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


def resolved_agent(cluster: "ClusterConfig", p: "Primitive") -> str:
    return cluster.agent_of(p)


# -- cluster indexes ----------------------------------------------------------

def top_level(cluster: "ClusterConfig", rsc_id: str) -> str:
    from sanlint.views import top_level as tl

    return tl(cluster, rsc_id)


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


def all_ids(cluster: "ClusterConfig") -> set[str]:
    ids = set(cluster.resources) | set(cluster.other_ids)
    ids.update(c.id for c in cluster.constraints)
    return ids


def fresh_id(cluster: "ClusterConfig", base: str, taken: set[str] | None = None) -> str:
    ids = taken if taken is not None else all_ids(cluster)
    if base not in ids:
        return base
    n = 1
    while f"{base}-{n}" in ids:
        n += 1
    return f"{base}-{n}"


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


# -- edits on crm text and CIB XML -----------------------------------------------

def fmt(span: Span) -> str:
    return span.file.format or ""


def line_bounds(data: bytes, start: int, end: int) -> tuple[int, int]:
    """[first byte of the line holding `start`, byte after the newline ending the line of `end`)."""
    ls = data.rfind(b"\n", 0, start) + 1
    le = data.find(b"\n", end)
    return ls, (len(data) if le < 0 else le + 1)


def indent_of(data: bytes, offset: int) -> str:
    ls = data.rfind(b"\n", 0, offset) + 1
    m = re.match(rb"[ \t]*", data[ls:])
    return m.group(0).decode() if m else ""


def insert_after_statement(span: Span, text: str) -> Edit:
    """Insert whole line(s) `text` (no trailing newline) after the statement/element of `span`."""
    data = span.file.data
    le = data.find(b"\n", span.end)
    if le < 0:
        return Edit.insert(span.file, len(data), "\n" + text + "\n")
    return Edit.insert(span.file, le + 1, text + "\n")


def continuation_indent(span: Span) -> str:
    """Indentation of a crm statement's continuation lines (8 spaces by default)."""
    data = span.file.data
    nl = data.find(b"\n", span.start, span.end)
    if nl >= 0:
        ind = indent_of(data, nl + 1)
        if ind:
            return ind
    return " " * 8


def delete_crm_token(span: Span) -> Edit:
    """Delete one `name=value` token of a crm statement, keeping `\\` continuations valid."""
    data = span.file.data
    ls, le = line_bounds(data, span.start, span.end)
    before = data[ls:span.start]
    line_end = le - 1 if le > 0 and data[le - 1:le] == b"\n" else le
    after = data[span.end:line_end]
    after_stripped = after.strip()
    if not before.strip() and after_stripped in (b"", b"\\"):
        # the token is alone on its line
        if after_stripped == b"\\":
            return Edit(span.file, ls, le, "")
        # last line of the statement: drop the previous line's continuation instead
        prev_end = ls - 1  # the newline ending the previous line
        if prev_end > 0:
            pls = data.rfind(b"\n", 0, prev_end) + 1
            prev = data[pls:prev_end]
            m = re.search(rb"[ \t]*\\[ \t]*$", prev)
            if m:
                return Edit(span.file, pls + m.start(), le - (1 if data[le - 1:le] == b"\n" else 0), "")
        return Edit(span.file, ls, le, "")
    # other tokens on the line: remove the token and the blanks before it
    cut = span.start
    while cut > ls and data[cut - 1:cut] in (b" ", b"\t"):
        cut -= 1
    if cut == ls:  # first on its line: eat the blanks after it instead
        end = span.end
        while end < line_end and data[end:end + 1] in (b" ", b"\t"):
            end += 1
        return Edit(span.file, span.start, end, "")
    return Edit(span.file, cut, span.end, "")


def delete_crm_statement(span: Span) -> Edit:
    """Delete a whole crm statement (all its continuation lines)."""
    data = span.file.data
    ls, le = line_bounds(data, span.start, span.end)
    return Edit(span.file, ls, le, "")


# CIB ------------------------------------------------------------------------

_TAG_END = re.compile(rb"""(?:[^>"']|"[^"]*"|'[^']*')*>""")


def cib_start_tag(span: Span) -> tuple[int, int] | None:
    """Byte range of the start tag of the element at `span` (`<tag ... >` or `/>`)."""
    data = span.file.data
    lt = data.rfind(b"<", 0, span.start + 1)
    if lt < 0:
        return None
    m = _TAG_END.match(data, lt + 1)
    if not m:
        return None
    return lt, m.end()


def cib_attr(span: Span, name: str) -> tuple[int, int, int, int] | None:
    """(attr_start, attr_end, value_start, value_end) of attribute `name` in the start tag at `span`."""
    tag = cib_start_tag(span)
    if tag is None:
        return None
    data = span.file.data
    rx = re.compile(rb"""\s(""" + re.escape(name.encode()) + rb""")\s*=\s*("([^"]*)"|'([^']*)')""")
    m = rx.search(data, tag[0], tag[1])
    if not m:
        return None
    vstart = m.start(3) if m.group(3) is not None else m.start(4)
    vend = m.end(3) if m.group(3) is not None else m.end(4)
    return m.start(0), m.end(0), vstart, vend


def cib_set_attr(span: Span, name: str, value: str, after: str | None = None) -> Edit | None:
    """Set attribute `name` on the element at `span`: replace its value, or
    add it (after attribute `after` when given, else before the tag's end)."""
    found = cib_attr(span, name)
    if found:
        return Edit(span.file, found[2], found[3], xml_escape(value))
    tag = cib_start_tag(span)
    if tag is None:
        return None
    data = span.file.data
    pos = None
    if after:
        a = cib_attr(span, after)
        if a:
            pos = a[1]
    if pos is None:
        end = tag[1] - 1
        if data[end - 1:end] == b"/":
            end -= 1
        while end > tag[0] and data[end - 1:end] in (b" ", b"\t", b"\n"):
            end -= 1
        pos = end
    return Edit.insert(span.file, pos, f' {name}="{xml_escape(value)}"')


def cib_remove_attr(span: Span, name: str) -> Edit | None:
    found = cib_attr(span, name)
    if not found:
        return None
    return Edit(span.file, found[0], found[1], "")


def cib_element_end(span: Span) -> int | None:
    """Byte offset after the element at `span` (its end tag, or `/>`)."""
    tag = cib_start_tag(span)
    if tag is None:
        return None
    data = span.file.data
    if data[tag[1] - 2:tag[1]] == b"/>":
        return tag[1]
    m = re.match(rb"<([\w:-]+)", data[tag[0]:tag[1]])
    if not m:
        return None
    name = m.group(1)
    depth, pos = 1, tag[1]
    rx = re.compile(rb"<(/?)" + re.escape(name) + rb"(?=[\s/>])")
    while depth:
        m2 = rx.search(data, pos)
        if not m2:
            return None
        t = _TAG_END.match(data, m2.start() + 1)
        if not t:
            return None
        if m2.group(1):
            depth -= 1
        elif data[t.end() - 2:t.end()] != b"/>":
            depth += 1
        pos = t.end()
    return pos


def delete_cib_element(span: Span) -> Edit | None:
    tag = cib_start_tag(span)
    end = cib_element_end(span)
    if tag is None or end is None:
        return None
    data = span.file.data
    ls = data.rfind(b"\n", 0, tag[0]) + 1
    le = data.find(b"\n", end)
    le = len(data) if le < 0 else le + 1
    if not data[ls:tag[0]].strip() and not data[end:le].strip():
        return Edit(span.file, ls, le, "")
    return Edit(span.file, tag[0], end, "")


def insert_after_element(span: Span, xml: str) -> Edit | None:
    """Insert `xml` on its own line after the element at `span`, same indentation."""
    end = cib_element_end(span)
    tag = cib_start_tag(span)
    if end is None or tag is None:
        return None
    data = span.file.data
    ind = indent_of(data, tag[0])
    le = data.find(b"\n", end)
    if le >= 0 and not data[end:le].strip():
        return Edit.insert(span.file, le + 1, ind + xml + "\n")
    return Edit.insert(span.file, end, xml)


def xml_escape(v: str) -> str:
    return v.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def delete_pair(pair) -> Edit | None:
    """Delete an nvpair: a crm `name=value` token or a CIB `<nvpair/>` element."""
    if fmt(pair.span) == "cib":
        return delete_cib_element(pair.span)
    return delete_crm_token(pair.span)


def source_files(clusters: Iterable) -> list[SourceFile]:
    return [c.span.file for c in clusters]
