"""Helpers shared by the DRBD1xx rules: effective option lookup (resource,
volume, host, connection and `common` sections, as drbdadm inherits them),
version wording, and byte-span edits that keep the file's indentation.

Not a rule module (no `Rule` subclass): the pack loader imports it and
finds nothing to register.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Iterator

from sanlint.rule import Edit
from sanlint import textedit
from sanlint.source import SourceFile, Span

if TYPE_CHECKING:
    from sanlint.model import Host, Setting, Site
    from sanlint.model.drbd import DrbdAddress, DrbdHost, DrbdResource, DrbdSection

DEFAULT_VERSION = "8.4"
HANDLER_DIR = "/usr/lib/drbd"


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


def resource_sections(res: "DrbdResource") -> list["DrbdSection"]:
    """Every option section of a resource: its own, its volumes', its host
    sections' and its connections' (DRBD 9), in that order."""
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


from sanlint.views import ip  # noqa: E402,F401  (the pack's rules import it from here)


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


# -- text edits -------------------------------------------------------------------

def indent_at(file: SourceFile, offset: int) -> str:
    return textedit.indent_at(file.data, offset)


def starts_line(file: SourceFile, offset: int) -> bool:
    return textedit.starts_line(file.data, offset)


def _after(file: SourceFile, end: int) -> int:
    """Where to insert after a statement ending at `end`: past a trailing
    comment on the same line, if that is all that follows."""
    data = file.data
    eol = textedit.line_end(data, end)
    rest = data[end:eol].strip()
    if not rest or rest.startswith(b"#"):
        return eol
    return end


def indent_unit(file: SourceFile) -> str:
    for line in file.text.splitlines():
        if line[:1] == "\t":
            return "\t"
        if line[:1] == " " and line.strip():
            return " " * (len(line) - len(line.lstrip(" ")))
    return "\t"


def _ends_line(file: SourceFile, end: int) -> bool:
    data = file.data
    rest = data[end:textedit.line_end(data, end)].strip()
    return not rest or rest.startswith(b"#")


def add_options(sec: "DrbdSection", stmts: list[str]) -> Edit:
    """Insert statements at the end of an existing section, matching the
    indentation of its statements (or one level deeper than the section)."""
    file = sec.span.file
    if sec.options:
        last = sec.options[-1].span
        if starts_line(file, last.start) and _ends_line(file, last.end):
            ind = indent_at(file, last.start)
            return Edit.insert(file, _after(file, last.end), "".join(f"\n{ind}{s}" for s in stmts))
        return Edit.insert(file, last.end, "".join(f" {s}" for s in stmts))
    body = sec.body_span
    assert body is not None
    if b"\n" in file.data[body.start:body.end]:
        ind = indent_at(file, sec.span.start) + indent_unit(file)
        return Edit.insert(file, body.start, "".join(f"\n{ind}{s}" for s in stmts))
    return Edit.replace(body, " " + " ".join(stmts) + " ")


def add_section(container: "DrbdResource", kind: str, stmts: list[str], exclude: Iterable[object] = ()) -> Edit:
    """Insert a new `kind { stmts }` section into a resource (or common),
    after its last option section (not one of `exclude`, which another edit
    deletes), as the surrounding text is laid out."""
    file = container.span.file
    skip = {id(x) for x in exclude}
    anchors: list[Span] = [s.span for s in container.sections if id(s) not in skip]
    if container.protocol is not None and id(container.protocol) not in skip:
        anchors.append(container.protocol.span)
    anchors = [a for a in anchors if a.file is file]
    if anchors:
        last = max(anchors, key=lambda a: a.end)
        if starts_line(file, last.start) and _ends_line(file, last.end):
            ind = indent_at(file, last.start)
            unit = indent_unit(file)
            text = f"\n{ind}{kind} {{" + "".join(f"\n{ind}{unit}{s}" for s in stmts) + f"\n{ind}}}"
            return Edit.insert(file, _after(file, last.end), text)
        return Edit.insert(file, last.end, f" {kind} {{ " + " ".join(stmts) + " }")
    body = container.body_span
    assert body is not None
    if b"\n" in file.data[body.start:body.end]:
        unit = indent_unit(file)
        ind = indent_at(file, container.span.start) + unit
        text = f"\n{ind}{kind} {{" + "".join(f"\n{ind}{unit}{s}" for s in stmts) + f"\n{ind}}}"
        return Edit.insert(file, body.start, text)
    return Edit.insert(file, body.start, f" {kind} {{ " + " ".join(stmts) + " }")


def put_options(container: "DrbdResource", kind: str, stmts: list[str], exclude: Iterable[object] = ()) -> Edit:
    """Add statements to the container's first `kind` section (not one of
    `exclude`), or to a new one."""
    exclude = list(exclude)
    skip = {id(x) for x in exclude}
    for sec in container.sections:
        if sec.kind == kind and id(sec) not in skip and sec.body_span is not None:
            return add_options(sec, stmts)
    return add_section(container, kind, stmts, exclude)


def add_resource_statement(container: "DrbdResource", text: str) -> Edit:
    """Insert a resource-level statement (8.x `protocol C;`) at the top of the body."""
    file = container.span.file
    body = container.body_span
    assert body is not None
    if b"\n" in file.data[body.start:body.end]:
        ind = indent_at(file, container.span.start) + indent_unit(file)
        return Edit.insert(file, body.start, f"\n{ind}{text}")
    return Edit.insert(file, body.start, f" {text}")


# -- handlers ----------------------------------------------------------------------

FENCE_SCRIPT = {"9": "crm-fence-peer.9.sh", "8": "crm-fence-peer.sh"}
UNFENCE_SCRIPT = {"9": "crm-unfence-peer.9.sh", "8": "crm-unfence-peer.sh"}


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
    if ver == "9":
        out = [f'fence-peer "{directory}/{FENCE_SCRIPT["9"]}";']
        if unfence:
            out.append(f'unfence-peer "{directory}/{UNFENCE_SCRIPT["9"]}";')
        return out
    out = [f'fence-peer "{directory}/{FENCE_SCRIPT["8"]}";']
    if unfence:
        out.append(f'after-resync-target "{directory}/{UNFENCE_SCRIPT["8"]}";')
    return out


def has_unfence(host: "Host", res: "DrbdResource") -> bool:
    for f in find_all(host, res, ("handlers",), ("unfence-peer", "after-resync-target")):
        if f.setting.name == "unfence-peer" or "unfence" in (f.value or ""):
            return True
    return False


def remove_statement(setting: "Setting", sec: "DrbdSection", also_removed: Iterable["Setting"] = ()) -> Edit:
    """Delete a statement; when nothing else is left in its section, delete
    the whole section instead."""
    gone = {id(setting)} | {id(s) for s in also_removed}
    if all(id(o) in gone for o in sec.options) and not sec.sections:
        return delete_statement(sec.span)
    return delete_statement(setting.span)


def delete_statement(span: Span) -> Edit:
    """Delete the lines of a statement, or, when it shares its line with
    others, the statement and the blanks after it."""
    e = Edit.delete_lines(span)
    if e.start == span.start and e.end == span.end:
        data = span.file.data
        end = span.end
        while end < len(data) and data[end:end + 1] in (b" ", b"\t"):
            end += 1
        return Edit(span.file, span.start, end, "")
    return e


def stmt(name: str, value: str | None) -> str:
    """`name value;`, quoting values that need it (handlers)."""
    if value is None:
        return f"{name};"
    if value.startswith("/") or " " in value:
        return f'{name} "{value}";'
    return f"{name} {value};"


def container_of(host: "Host", res: "DrbdResource", sec: "DrbdSection") -> "DrbdResource":
    if any(s is sec for s in res.sections):
        return res
    for c in commons(host):
        if any(s is sec for s in c.sections):
            return c
    return res
