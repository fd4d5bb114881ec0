"""Helpers shared by the DRBD1xx rules: effective option lookup (resource,
volume, host, connection and `common` sections, as drbdadm inherits them),
version wording, handler statements.  Text edits: `sanlint.edit.brace`.

Not a rule module (no `Rule` subclass): the pack loader imports it and
finds nothing to register.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Iterator
from weakref import WeakKeyDictionary

from sanlint.edit.brace import stmt
from sanlint.transform.drbd import FENCE_SCRIPT, HANDLER_DIR, UNFENCE_SCRIPT  # noqa: F401  (the pack's rules import them)
from sanlint.source import Span

if TYPE_CHECKING:
    from sanlint.model import Host, Setting, Site
    from sanlint.model.drbd import DrbdAddress, DrbdHost, DrbdResource, DrbdSection

DEFAULT_VERSION = "8.4"


# -- versions -------------------------------------------------------------------

def version(site: "Site") -> str:
    """The DRBD version in force: configured or inferred ("8.3" | "8.4" | "9")."""
    return site.drbd_version or DEFAULT_VERSION


def version_note(site: "Site") -> str:
    v = version(site)
    reason = site.drbd_version_reason or "no DRBD version configured or inferred"
    return f"DRBD {v} assumed: {reason}"


# -- iteration ------------------------------------------------------------------

def host_resources(site: "Site") -> Iterator[tuple["Host", "DrbdResource"]]:
    for host in site.hosts.values():
        for res in host.drbd_resources:
            yield host, res


def commons(host: "Host") -> list["DrbdResource"]:
    """The `common { }` sections of a host's DRBD files (parsed as resources)."""
    return host.drbd_commons


@dataclass
class Found:
    """An option found where drbdadm would take it from."""

    setting: "Setting"
    section: "DrbdSection"
    container: "DrbdResource"  # the resource, or the `common` pseudo-resource
    in_common: bool = False

    @property
    def value(self) -> str | None:
        return self.setting.value


_SECTIONS: "WeakKeyDictionary[DrbdResource, list[DrbdSection]]" = WeakKeyDictionary()


def resource_sections(res: "DrbdResource") -> list["DrbdSection"]:
    """Every option section of a resource: its own, its volumes', its host
    sections' and its connections' (DRBD 9), in that order (gathered once
    per resource: the model is not changed while rules run; do not mutate)."""
    out = _SECTIONS.get(res)
    if out is None:
        out = _SECTIONS[res] = _gather_sections(res)
    return out


def _gather_sections(res: "DrbdResource") -> list["DrbdSection"]:
    out = list(res.sections)
    for v in res.volumes:
        out.extend(v.sections)
    for h in res.hosts:
        out.extend(h.sections)
        for v in h.volumes:
            out.extend(v.sections)
    for c in res.connections:
        out.extend(c.sections)
        for v in c.volumes:
            out.extend(v.sections)
    return out


def find_all(host: "Host", res: "DrbdResource", kinds: Iterable[str], names: Iterable[str]) -> list[Found]:
    """Every statement named one of `names` in a section of one of `kinds`:
    the resource's own (all levels) first, then the `common` sections'."""
    kinds, names = tuple(kinds), tuple(names)
    out: list[Found] = []
    for sec in resource_sections(res):
        if sec.kind in kinds:
            out.extend(Found(o, sec, res) for o in sec.options if o.name in names)
    for c in commons(host):
        for sec in c.sections:
            if sec.kind in kinds:
                out.extend(Found(o, sec, c, True) for o in sec.options if o.name in names)
    return out


def find(host: "Host", res: "DrbdResource", kinds: Iterable[str], names: Iterable[str]) -> Found | None:
    found = find_all(host, res, kinds, names)
    own = [f for f in found if not f.in_common]
    return (own or found or [None])[0]


def protocol(host: "Host", res: "DrbdResource") -> tuple[str, "Setting | None"]:
    """The replication protocol (default C) and the statement that sets it:
    resource-level `protocol`, any `net { protocol }`, then common."""
    if res.protocol is not None:
        return (res.protocol.value or "C").upper(), res.protocol
    f = find(host, res, ("net",), ("protocol",))
    if f is not None and not f.in_common:
        return (f.value or "C").upper(), f.setting
    for c in commons(host):
        if c.protocol is not None:
            return (c.protocol.value or "C").upper(), c.protocol
    if f is not None:
        return (f.value or "C").upper(), f.setting
    return "C", None


def is_yes(setting: "Setting") -> bool:
    """A boolean option as drbdadm reads it: bare `name;` = yes."""
    v = (setting.value or "yes").lower()
    return v in ("yes", "on", "true", "1")


def own_host(site_host: "Host", res: "DrbdResource") -> "DrbdHost | None":
    """The `on` section of `res` that stands for this site host."""
    from sanlint.views import same_host

    if not site_host.name:
        return None
    for h in res.hosts:
        if h.kind == "on" and any(same_host(n, site_host.name) for n in h.names):
            return h
    return None


def host_addresses(res: "DrbdResource") -> list[tuple[str, "DrbdAddress"]]:
    """(host name, address) of every host section and connection endpoint."""
    out: list[tuple[str, DrbdAddress]] = []
    for h in res.hosts:
        if h.address is not None:
            out.append((h.name, h.address))
    for c in res.connections:
        for ep in c.endpoints + [e for p in c.paths for e in p.endpoints]:
            if ep.address is not None:
                out.append((ep.host or "?", ep.address))
    return out




# -- dedupe -----------------------------------------------------------------------

class Once:
    """Report a statement once even when several resources inherit it."""

    def __init__(self) -> None:
        self.seen: set[tuple[str, int, str]] = set()

    def first(self, span: Span, extra: str = "") -> bool:
        key = (span.file.display + "\0" + str(span.host), span.start, extra)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


def where(f: Found, res: "DrbdResource") -> str:
    """Identity prefix: the resource, or `common` for an inherited statement."""
    return "drbd common" if f.in_common else f"drbd resource {res.name}"


# -- handlers ----------------------------------------------------------------------



def handler_dir(host: "Host", res: "DrbdResource") -> str:
    """Where this site keeps the DRBD handler scripts (from another handler)."""
    import posixpath

    for sec in [s for s in resource_sections(res) if s.kind == "handlers"] + \
            [s for c in commons(host) for s in c.sections if s.kind == "handlers"]:
        for o in sec.options:
            word = (o.value or "").split()[0] if o.value else ""
            if word.startswith("/") and "drbd" in word:
                return posixpath.dirname(word)
    return HANDLER_DIR


def fence_handlers(ver: str, directory: str, unfence: bool = True) -> list[str]:
    """The crm fence-peer (and unfence) handler statements for a version."""
    gen = "9" if ver == "9" else "8"
    out = [stmt("fence-peer", f"{directory}/{FENCE_SCRIPT[gen]}")]
    if unfence:
        out.append(stmt("unfence-peer" if gen == "9" else "after-resync-target", f"{directory}/{UNFENCE_SCRIPT[gen]}"))
    return out


def has_unfence(host: "Host", res: "DrbdResource") -> bool:
    for f in find_all(host, res, ("handlers",), ("unfence-peer", "after-resync-target")):
        if f.setting.name == "unfence-peer" or "unfence" in (f.value or ""):
            return True
    return False
