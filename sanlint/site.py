"""Build the site model from discovered files.

Reads every file (refusing binary, unreadable and huge ones with a clear
message), parses it with the parser of its format, follows `include`
statements (DRBD and tgt) the way the real tools do, attaches each model
object to its host, and works out which DRBD and Pacemaker versions the
configuration is written for.

Problems with the inputs themselves are collected as `InputProblem`s; the
SAN rules turn them into findings.
"""

from __future__ import annotations

import glob as globmod
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sanlint import formats
from sanlint.discovery import MAX_FILE_BYTES, Discovery, FoundFile, FoundHost, discover_clusters, file_kind, inside
from sanlint.model import Host, Site
from sanlint.model.network import BootService
from sanlint.source import NumberTooLarge, ParseError, SourceFile, Span


class InputError(Exception):
    """An input file that is not read: not a regular file, too large, unreadable."""


def read_bounded(path: str | os.PathLike, limit: int | None = None, what: str = "a configuration file") -> bytes:
    """The bytes of a regular file of at most `limit` bytes; InputError otherwise.

    Opened without blocking (a fifo never hangs) and checked on the open
    descriptor, so a file swapped for a fifo or a device between the check
    and the read is refused as well; at most `limit + 1` bytes are read, so
    a link to /dev/zero or a growing file cannot eat memory."""
    import stat

    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        raise InputError(f"cannot read file: {e.strerror or e}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"{file_kind(st.st_mode)}, not a regular file")
        if st.st_size > limit:
            raise InputError(f"file too large to be {what} ({st.st_size} bytes, limit {limit})")
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise InputError(f"file too large to be {what} (more than {limit} bytes)")
        return b"".join(chunks)
    except OSError as e:
        raise InputError(f"cannot read file: {e.strerror or e}") from None
    finally:
        os.close(fd)

_NONE = formats.Format("", "")

if TYPE_CHECKING:
    from sanlint.cache import ParseEngine


@dataclass
class InputProblem:
    code: str  # SAN001 | SAN002 | SAN003 | SAN005
    message: str
    span: Span | None = None
    path: str | None = None
    host: str | None = None
    identity: str = ""


@dataclass
class BuiltSite:
    site: Site
    problems: list[InputProblem] = field(default_factory=list)
    parsed: dict[int, Any] = field(default_factory=dict)  # id(SourceFile) -> parse result


def build(paths: list[str], hosts: list[tuple[str, str]] | None = None, settings: dict | None = None,
          overrides: dict[str, bytes] | None = None, engine: "ParseEngine | None" = None) -> tuple[Site, list[InputProblem]]:
    """Discover, read and parse everything under `paths`: one Site per cluster.

    One cluster: its Site and problems.  Several (a repository, several site
    PATHs): a Site whose `parts` are the clusters' (site, problems), built
    apart (hosts of one name in two clusters never merge) but parsed as one
    batch, so the process pool sees every file at once; problems is then []."""
    from sanlint.cache import ParseEngine

    groups = discover_clusters(paths, hosts)
    settings, overrides = settings or {}, overrides or {}
    if len(groups) == 1:
        return build_from(groups[0], settings, overrides, engine)
    engine = engine or ParseEngine()
    try:
        _Builder(settings, overrides, engine).prefetch(
            [f for g in groups for f in [*(f for fh in g.hosts.values() for f in fh.files), *g.cluster_files]])
        parts = [build_from(g, settings, overrides, engine, close=False) for g in groups]
    finally:
        engine.close()
    whole = Site(parts=parts)
    for part, _problems in parts:
        whole.files.extend(part.files)
        label = part.name or "hosts given one by one"
        whole.notes.extend(f"{label}: {n}" for n in part.notes)
        whole.assumed.extend(part.assumed)
    return whole, []


def build_from(disc: Discovery, settings: dict, overrides: dict[str, bytes],
               engine: "ParseEngine | None" = None, close: bool = True) -> tuple[Site, list[InputProblem]]:
    """Build the site of a discovery (one cluster); files are parsed through
    `engine` (the cache and the process pool, sanlint.cache), a default one
    if None; the engine is closed afterwards unless `close` is false."""
    from sanlint.cache import ParseEngine

    b = _Builder(settings, overrides, engine or ParseEngine())
    try:
        return _build(b, disc, settings)
    finally:
        if close or engine is None:
            b.engine.close()


def _build(b: "_Builder", disc: Discovery, settings: dict) -> tuple[Site, list[InputProblem]]:
    b.refused = disc.refused
    b.prefetch([f for fh in disc.hosts.values() for f in fh.files] + list(disc.cluster_files))
    for display, message in disc.problems:
        b.problems.append(InputProblem("SAN001", message, path=display, identity=f"file {display}"))
    for found_host in disc.hosts.values():
        b.add_host(found_host)
    for f in disc.cluster_files:
        src = b.read(f, None)
        if src is not None:
            b.boundary[id(src)] = f.boundary
        if src is not None:
            result = b.parse(src)
            if result is not None:
                b.site.clusters.append(result)
    infer_versions(b.site, settings)
    b.site.notes.extend(f"skipped {d}: a backup or another tool's leftover, never read as configuration"
                        for d in disc.skipped)
    b.site.name = disc.name
    b.site.assumed.extend(disc.assumed)
    b.site.notes.extend([*disc.notes, *disc.assumed])
    return b.site, b.problems


class _Builder:
    def __init__(self, settings: dict, overrides: dict[str, bytes], engine: "ParseEngine") -> None:
        self.engine = engine
        self.peeked: dict[str, bytes] = {}
        self._real: dict[str, str] = {}  # real path -> bytes read ahead for a parallel parse
        self.site = Site()
        self.problems: list[InputProblem] = []
        self.settings = settings
        self.overrides = overrides
        self.seen_real: set[str] = set()
        self.refused: set[str] = set()  # paths discovery already reported (a link out, a fifo): not again per include
        self.boundary: dict[int, str | None] = {}  # id(SourceFile) -> the tree its includes must stay in

    # -- reading -------------------------------------------------------------
    def realpath(self, path) -> str:
        """os.path.realpath, once per path and build (a LINSTOR host includes
        thousands of files, each looked at several times)."""
        key = os.fspath(path)
        real = self._real.get(key)
        if real is None:
            real = self._real[key] = os.path.realpath(key)
        return real

    def read(self, f: FoundFile, host: str | None, fmt: str | None = None) -> SourceFile | None:
        real = self.realpath(f.path)
        key = f"{host}\0{real}"
        if key in self.seen_real:
            return None
        self.seen_real.add(key)
        if f.boundary is not None and not inside(real, f.boundary):
            self._problem("SAN001", f"leads outside the tree being checked (to {real}); not read", f.display, host)
            return None
        if real in self.overrides:
            data = self.overrides[real]
        elif real in self.peeked:
            data = self.peeked.pop(real)
        else:
            try:
                data = read_bounded(f.path)
            except InputError as e:
                self._problem("SAN001", f"{e}; not checked", f.display, host)
                return None
        if b"\0" in data[:65536]:
            self._problem("SAN001", "binary file (contains NUL bytes), not a configuration file; not checked", f.display, host)
            return None
        src = SourceFile(display=f.display, data=data, path=Path(real), host=host, format=fmt or f.format)
        self.site.files.append(src)
        if src.format is None:
            where = f" where {f.expected} files live" if f.expected else ""
            self.problems.append(InputProblem("SAN003", f"{f.display} is not a recognised configuration format{where}; not checked",
                                              span=src.span(0, 0), host=host, identity=f"file {f.display}"))
            return None
        if f.expected and f.format != f.expected:
            self.problems.append(InputProblem("SAN003", f"{f.display} sits where {f.expected} files live but looks like {f.format}; not checked",
                                              span=src.span(0, 0), host=host, identity=f"file {f.display}"))
            return None
        return src

    def _problem(self, code: str, message: str, display: str, host: str | None) -> None:
        self.problems.append(InputProblem(code, message, path=display, host=host, identity=f"file {display}"))

    def prefetch(self, files: list[FoundFile]) -> None:
        """Read ahead the files about to be read and have the engine parse the
        batch in parallel (it decides whether the batch is worth a pool).
        Nothing is reported here and nothing outside a file's tree is read:
        `read` and `parse` report as if nothing had happened before."""
        if self.engine.jobs < 2 or len(files) < 2:
            return
        items = []
        for f in files:
            spec = formats.get(f.format)
            if spec is None or (f.expected and f.format != f.expected):
                continue
            real = self.realpath(f.path)
            if f.boundary is not None and not inside(real, f.boundary):
                continue
            if real in self.overrides:
                data = self.overrides[real]
            else:
                try:
                    data = read_bounded(f.path)
                except InputError:
                    continue
                self.peeked[real] = data
            if b"\0" not in data[:65536]:
                items.append((f.format, f.display, Path(real), data))
        self.engine.prefetch(items)

    def parse(self, src: SourceFile) -> Any:
        parse = self.engine.parse

        try:
            return parse(src)
        except ParseError as e:
            if e.char_offset is not None:
                span = src.span(min(e.char_offset, len(src.text)), min(e.char_offset, len(src.text)))
            else:
                start = src.line_start_char(e.line) + max(e.column - 1, 0)
                start = min(start, len(src.text))
                span = src.span(start, start)
            self.problems.append(InputProblem("SAN001", f"cannot parse {src.format} file: {e.describe()}", span=span,
                                              host=src.host, identity=f"file {src.display}"))
        except NumberTooLarge as e:
            at = _number_at(src.text, e.literal) if e.char_offset is None else e.char_offset
            self.problems.append(InputProblem("SAN001", f"cannot parse {src.format} file: {e}, found {_short(e.literal)}",
                                              span=src.span(at, at), host=src.host, identity=f"file {src.display}"))
        except ValueError as e:
            if "integer string conversion" not in str(e):
                self._internal(src, e)
                return None
            # a number Python refuses to convert (> 4,300 digits) that a parser did not bound itself
            m = re.search(r"\d{4300,}", src.text)
            at = m.start() if m else 0
            self.problems.append(InputProblem("SAN001", f"cannot parse {src.format} file: number out of range "
                                              f"({len(m.group(0)) if m else 'too many'} digits)",
                                              span=src.span(at, at), host=src.host, identity=f"file {src.display}"))
        except RecursionError:
            self.problems.append(InputProblem("SAN001", f"cannot parse {src.format} file: nesting too deep",
                                              span=src.span(0, 0), host=src.host, identity=f"file {src.display}"))
        except Exception as e:  # a parser bug must not stop the check of the other files
            self._internal(src, e)
        return None

    def _internal(self, src: SourceFile, e: Exception) -> None:
        import sys
        import traceback

        sys.stderr.write(f"sanlint: internal error parsing {src.display} (please report this): "
                         f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=-3)}")
        self.problems.append(InputProblem("SAN001", f"cannot parse {src.format} file: internal parser error ({type(e).__name__})",
                                          span=src.span(0, 0), host=src.host, identity=f"file {src.display}"))

    # -- hosts ---------------------------------------------------------------
    def add_host(self, fh: FoundHost) -> None:
        host = self.site.host(fh.name)
        host.root = fh.root
        hostname = fh.name or None
        # drbdadm reads drbd.conf and what it includes, tgt-admin targets.conf and
        # what it includes: read those first, so an included file is read (once,
        # `read` skips what it has seen) in include order.  A file that no main
        # file includes still counts on its own.
        main = [f for f in fh.files if (formats.get(f.format) or _NONE).main_file == f.path.name]
        in_main = {id(f) for f in main}  # (a list scan per file was quadratic on hosts with many main files)
        order = main + [f for f in fh.files if id(f) not in in_main]
        for f in order:
            src = self.read(f, hostname)
            if src is None:
                continue
            self.boundary[id(src)] = f.boundary
            host.files.append(src)
            result = self.parse(src)
            if result is None:
                continue
            self.attach(host, src, result, fh)
        for link, display in fh.boot_links:
            name = _service_name(link)
            if name:
                src = SourceFile.from_text(display, "", path=link, host=hostname, format="boot-link")
                host.boot_services.append(BootService(name=name, via="sysv" if "/rc" in display else "systemd",
                                                      span=src.whole()))

    def attach(self, host: Host, src: SourceFile, result: Any, fh: FoundHost) -> None:
        """Put a parse result where its format's registry entry says."""
        fmt = formats.get(src.format)
        if fmt is None or not fmt.attach:
            return
        if fmt.cluster and fh.name == "":
            target = self.site.clusters  # a lone crm file / CIB: cluster-wide
        else:
            target = getattr(host, fmt.attach)
        if fmt.extend:
            target.extend(result)
        else:
            target.append(result)
        if fmt.flag:
            setattr(host, fmt.flag, True)
        if fmt.includes:
            self.follow_includes(host, src, result.includes, fmt.name, fh)

    def follow_includes(self, host: Host, src: SourceFile, includes: list, fmt: str, fh: FoundHost) -> None:
        """drbdadm: globs relative to the including file's directory; a glob
        matching nothing is ignored (SAN005), a missing literal file is an
        error (SAN002); each file is read once (realpath), so cycles are safe
        for drbdadm but still reported (SAN002)."""
        if src.path is None:
            return
        base_dir = src.path.parent
        for inc in includes:
            pattern = getattr(inc, "pattern", None) or getattr(inc, "value", None) or ""
            if not pattern:
                continue
            target = pattern
            if os.path.isabs(pattern) and fh.root is not None and not _is_live_root(fh.root):
                target = str(fh.root / pattern.lstrip("/"))  # a host root stands in for /
            elif not os.path.isabs(pattern):
                target = str(base_dir / pattern)
            literal = not globmod.has_magic(pattern)
            matches = sorted(globmod.glob(target))
            ident = f"{fmt} include {pattern} in {src.display}"
            boundary = self.boundary.get(id(src))
            unreadable = _unreadable_dir(target, boundary)
            if unreadable:
                self.problems.append(InputProblem("SAN001", f"include \"{pattern}\": cannot read directory {unreadable}; "
                                                  "the files it names are not checked", span=inc.span, identity=ident))
                continue
            matches = [m for m in matches if os.path.abspath(m) not in self.refused]
            outside = [m for m in matches if not inside(self.realpath(m), boundary)]
            for m in outside:
                self.problems.append(InputProblem("SAN002", f"include \"{pattern}\" leads outside the tree being checked "
                                                  f"(to {self.realpath(m)}); not read", span=inc.span, identity=ident))
            matches = [m for m in matches if m not in outside]
            if outside and not matches:
                continue
            if not matches:
                if literal:
                    self.problems.append(InputProblem("SAN002", f"include \"{pattern}\" names a missing file "
                                                      f"({formats.BY_NAME[fmt].includes} refuses this configuration)",
                                                      span=inc.span, identity=ident))
                else:
                    self.problems.append(InputProblem("SAN005", f"include \"{pattern}\" matches no file (silently ignored: a typo or a missing file?)",
                                                      span=inc.span, identity=ident))
                continue
            self.prefetch([FoundFile(Path(m), _display_for(src.display, src.path, Path(m)), fmt, boundary=boundary)
                           for m in matches if f"{host.name or None}\0{self.realpath(m)}" not in self.seen_real
                           and os.path.isfile(m)])
            for m in matches:
                real = self.realpath(m)
                if not os.path.isfile(real):
                    if os.path.exists(real) and not os.path.isdir(real):
                        self.problems.append(InputProblem("SAN001", f"include \"{pattern}\" names {Path(m).name}, "
                                                          f"{file_kind(os.stat(real).st_mode)}; not read",
                                                          span=inc.span, identity=ident))
                    continue
                if real == self.realpath(src.path) or real in self._chain(src):
                    self.problems.append(InputProblem("SAN002", f"include \"{pattern}\" forms a cycle back to {Path(m).name}",
                                                      span=inc.span, identity=ident))
                    continue
                key = f"{host.name or None}\0{real}"
                if key in self.seen_real:
                    continue
                disp = _display_for(src.display, src.path, Path(m))
                child = self.read(FoundFile(Path(m), disp, fmt, boundary=boundary), host.name or None, fmt)
                if child is None:
                    continue
                self.boundary[id(child)] = boundary
                child._parent = src  # type: ignore[attr-defined]
                host.files.append(child)
                result = self.parse(child)
                if result is not None:
                    self.attach(host, child, result, fh)

    def _chain(self, src: SourceFile) -> set[str]:
        out = set()
        cur = getattr(src, "_parent", None)
        while cur is not None:
            out.add(str(cur.path))
            cur = getattr(cur, "_parent", None)
        return out


def _number_at(text: str, literal: str) -> int:
    """Offset of `literal` as a whole number in `text` (0 when not found)."""
    m = re.search(rf"(?<![0-9]){re.escape(literal)}(?![0-9])", text)
    return m.start() if m else max(text.find(literal), 0)


def _short(literal: str) -> str:
    return repr(literal if len(literal) <= 24 else literal[:10] + "..." + literal[-10:])


def _unreadable_dir(target: str, boundary: str | None) -> str | None:
    """The first directory on an include's path that exists but cannot be
    listed or entered (as an unprivileged user), or None."""
    d = os.path.dirname(target)
    parts = []
    while d and d not in parts:
        parts.append(d)
        d = os.path.dirname(d)
    for d in reversed(parts):
        if globmod.has_magic(d):
            break
        if os.path.isdir(d) and inside(os.path.realpath(d), boundary) and not os.access(d, os.R_OK | os.X_OK):
            return d
    return None


def _is_live_root(root: Path) -> bool:
    return root.resolve() == Path("/")


def _display_for(parent_display: str, parent_path: Path, child: Path) -> str:
    """Display path of an included file, relative to how the parent was reached."""
    try:
        rel = os.path.relpath(child, parent_path.parent)
    except ValueError:
        return str(child)
    base = os.path.dirname(parent_display)
    return os.path.normpath(os.path.join(base, rel)) if base else os.path.normpath(rel)


_SYSV = re.compile(r"^[SK]\d\d(.+)$")


def _service_name(link: Path) -> str | None:
    name = link.name
    m = _SYSV.match(name)
    if m and "/rc" in str(link):
        return m.group(1)
    for suffix in (".service", ".target", ".socket"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return None


# -- versions ----------------------------------------------------------------

def infer_versions(site: Site, settings: dict) -> None:
    dv = settings.get("drbd-version")
    if dv:
        site.drbd_version, site.drbd_version_reason = _norm_drbd(str(dv)), "set by drbd-version in the configuration"
    else:
        site.drbd_version, site.drbd_version_reason = _infer_drbd(site)
    pv = settings.get("pacemaker-version")
    if pv:
        site.pacemaker_version, site.pacemaker_version_reason = _norm_pcmk(str(pv)), "set by pacemaker-version in the configuration"
    else:
        site.pacemaker_version, site.pacemaker_version_reason = _infer_pacemaker(site)
    site.corosync_version, site.corosync_version_reason = infer_corosync(site, settings)
    if site.drbd_version:
        site.notes.append(f"DRBD {site.drbd_version} assumed: {site.drbd_version_reason}")
    if site.pacemaker_version:
        site.notes.append(f"Pacemaker {site.pacemaker_version} assumed: {site.pacemaker_version_reason}")
    if site.corosync_version:
        site.notes.append(f"corosync {site.corosync_version} assumed: {site.corosync_version_reason}")
    elif any(h.corosync for h in site.hosts.values()):
        site.notes.append(f"corosync version not known: {site.corosync_version_reason} (set corosync-version; "
                          f"the rules that depend on it stay silent)")


def infer_corosync(site: Site, settings: dict | None = None, skip=None) -> tuple[str | None, str]:
    """The corosync release line the site runs ("1", "2", "3") and why: the
    `corosync-version` setting, the packages collected from a host, a
    corosync.conf in knet syntax (only corosync 3 has knet), one with the
    corosync 1.x/openais layout (aisexec, amf, the Pacemaker plugin).
    `skip` is a corosync.conf whose own syntax is not to count (a rule
    judging that file).  None when nothing tells 2 from 3: a nodelist with
    udpu, or no transport, is read by both."""
    configured = (settings or {}).get("corosync-version")
    if configured:
        return str(configured).split(".")[0], "set by corosync-version in the configuration"
    for h in site.hosts.values():
        for pkg in getattr(h, "packages", []) or []:
            if pkg.name == "corosync" and pkg.version:
                major = pkg.version.split(":")[-1].split(".")[0]
                if major.isdigit():
                    return major, f"package corosync {pkg.version} installed on {h.name or 'the host'}"
    from sanlint.parsers.corosync import legacy_layout

    for v in ("3", "1"):
        for h in site.hosts.values():
            for cfg in h.corosync:
                if cfg is skip:
                    continue
                if v == "3" and cfg.version == "3":
                    return "3", f"{cfg.span.path} uses knet syntax (only corosync 3 has knet)"
                if v == "1" and legacy_layout(cfg.root):
                    return "1", f"{cfg.span.path} uses the corosync 1.x layout (aisexec/amf/Pacemaker plugin)"
    return None, "nothing in the site tells corosync 2 from 3"


def _norm_drbd(v: str) -> str:
    if v.startswith("8.3"):
        return "8.3"
    if v.startswith("8"):
        return "8.4"
    return "9"


def _norm_pcmk(v: str) -> str:
    if v.startswith("1"):
        return "1.1"
    if v.startswith("2.0"):
        return "2.0"
    return "2.1"


def _infer_drbd(site: Site) -> tuple[str | None, str | None]:
    v, why = _hinted_drbd(site)
    if v is None:
        return v, why
    from sanlint.drbd_versions import describe, site_refusals

    refused = site_refusals(site)
    mine = [r for r in refused if r.version == v]
    if not mine:
        return v, why
    for other in {"8.3": ("8.4", "9"), "8.4": ("9", "8.3"), "9": ("8.4", "8.3")}[v]:
        if not [r for r in refused if r.version == other]:
            return other, f"{why}, but {describe(mine)}; drbdadm {other} accepts every line"
    return v, f"{why}; no DRBD version accepts every line (SAN006)"


def _hinted_drbd(site: Site) -> tuple[str | None, str | None]:
    hints: dict[str, str] = {}
    for h in site.hosts.values():
        for cfg in h.drbd:
            if cfg.version_hint and cfg.version_hint not in hints:
                hints[cfg.version_hint] = f"{cfg.span.path} uses {cfg.version_hint} syntax"
            for r in cfg.resources:
                for s in r.sections_of("handlers"):
                    for o in s.options:
                        if o.value and ".9.sh" in o.value and "9" not in hints:
                            hints["9"] = f"{o.span.path}:{o.span.line} uses the DRBD 9 handler {os.path.basename(o.value)}"
    for v in ("9", "8.3", "8.4"):
        if v in hints:
            return v, f"inferred from the syntax: {hints[v]}"
    if any(h.drbd for h in site.hosts.values()):
        return "8.4", "no version-specific syntax found; 8.4 syntax (which DRBD 9 also reads) assumed"
    return None, None


# CIB schema -> Pacemaker release line (schemas 3.0-3.6 came with 2.0.x, 3.7+ with 2.1)
def _schema_version(schema: str) -> str | None:
    m = re.match(r"pacemaker-(\d+)\.(\d+)", schema or "")
    if not m:
        return None
    major, minor = int(m.group(1)), int(m.group(2))
    if major < 2:
        return "1.1"
    if major == 2:
        return "1.1"  # pacemaker-2.x schemas belong to the 1.1 series
    if major == 3 and minor < 7:
        return "2.0"
    return "2.1"


def _infer_pacemaker(site: Site) -> tuple[str | None, str | None]:
    clusters = site.all_clusters()
    if not clusters:
        return None, None
    for c in clusters:
        dc = c.property("dc-version")
        if dc and dc.value:
            return _norm_pcmk(dc.value), f"inferred from dc-version {dc.value.split('-')[0]} at {dc.span.path}:{dc.span.line}"
    for c in clusters:
        if c.validate_with and _schema_version(c.validate_with):
            return _schema_version(c.validate_with), f"inferred from validate-with=\"{c.validate_with}\" in {c.span.path}"
    for c in clusters:
        roles = _roles_used(c)
        if roles & {"Promoted", "Unpromoted"}:
            return "2.1", f"inferred from the Promoted/Unpromoted roles in {c.span.path}"
        if any(r.element == "clone" and r.meta_value("promotable") for r in c.resources.values()):
            return "2.0", f"inferred from a promotable clone in {c.span.path}"
        if roles & {"Master", "Slave"} or any(r.element == "master" for r in c.resources.values()):
            return "1.1", f"inferred from ms/master resources or Master/Slave roles in {c.span.path}"
    return "2.1", "no version-specific syntax found; the current 2.1 series assumed"


def _roles_used(c) -> set[str]:
    roles: set[str] = set()
    for con in c.constraints:
        for ref in con.resources:
            if ref.role:
                roles.add(ref.role)
    for p in c.primitives():
        for op in p.ops:
            if op.role:
                roles.add(op.role)
    return roles
