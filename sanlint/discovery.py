"""Input discovery: from command-line paths to hosts and classified files.

What a PATH can be (spec/cli.md):

* a single file, classified by its name and, when the name says nothing,
  by its content;
* a host root: a directory holding `etc/` (and maybe `var/lib/pacemaker/`),
  or an `etc` directory itself (its parent is the root; `/etc` of a live node
  is named after the machine's host name);
* a site: a directory whose subdirectories are host roots, one host each,
  named after the subdirectory; files at the site's top level (a crm file,
  a CIB) are cluster-wide;
* any other directory: a repository, searched at any depth for sites (each
  one cluster) and for directories that directly hold configuration files
  (each, with its subdirectories, one cluster of one anonymous host).

`discover_clusters` returns one `Discovery` per cluster: hosts of the same
name in two clusters are never merged.  Files and host roots given as PATHs
one by one, and --host values, form one cluster together (named None).

Inside a host root only the places where the SAN stack keeps its
configuration are read (etc/drbd.conf, etc/drbd.d, etc/lvm, etc/tgt, ...),
never the rest of /etc.
"""

from __future__ import annotations

import fnmatch
import os
import re
import socket
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sanlint import formats

MAX_FILE_BYTES = 32 * 1024 * 1024  # larger "configuration" files are refused with a message

# Where formats live, what they are called and how they are sniffed: the
# format registry (sanlint.formats) says, read at call time.

BOOT_SERVICE_DIRS = re.compile(r"^etc/systemd/system/[^/]+\.wants$|^etc/rc[0-6S]\.d$|^etc/init\.d/rc[0-6S]\.d$")

sniff = formats.sniff


@dataclass
class FoundFile:
    path: Path  # on disk
    display: str  # as reached from the argument
    format: str | None  # None: unknown (only kept when it sits where a known format lives)
    expected: str | None = None  # the format its location implies (for SAN003)
    boundary: str | None = None  # real path of the tree given: nothing outside it is read


@dataclass
class FoundHost:
    name: str  # "" for a lone file or plain directory
    root: Path | None
    files: list[FoundFile] = field(default_factory=list)
    boot_links: list[tuple[Path, str]] = field(default_factory=list)  # (link path, display)


@dataclass
class Discovery:
    """The inputs of one cluster (a site)."""

    hosts: dict[str, FoundHost] = field(default_factory=dict)
    cluster_files: list[FoundFile] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (display path, message) for SAN001
    skipped: list[str] = field(default_factory=list)  # backups and leftovers passed over (--verbose)
    refused: set[str] = field(default_factory=set)  # absolute paths reported in `problems` (not again as includes)
    # the cluster's name: its directory as reached from the PATH; None for the hosts and files given one by one
    name: str | None = None
    assumed: list[str] = field(default_factory=list)  # layout assumptions (a note on stderr, and under --verbose)
    notes: list[str] = field(default_factory=list)  # what else the layout made sanlint decide (--verbose)

    def refuse(self, path: Path, display: str, why: str) -> None:
        self.refused.add(os.path.abspath(path))
        self.problems.append((display, why))

    def host(self, name: str, root: Path | None = None) -> FoundHost:
        if name not in self.hosts:
            self.hosts[name] = FoundHost(name, root)
        return self.hosts[name]


# Backups and other tools' leftovers: never configuration (editor, patch,
# dpkg, rpm, sanlint's own backups and temporary files).
LEFTOVER_SUFFIXES = ("~", ".orig", ".rej", ".dpkg-old", ".dpkg-dist", ".dpkg-new", ".dpkg-bak", ".rpmsave",
                     ".rpmnew", ".rpmorig", ".sanlint-bak", ".swp")


def is_leftover(name: str) -> bool:
    return name.endswith(LEFTOVER_SUFFIXES) or ".sanlint-tmp-" in name or ".sanlint-old-" in name


class UsageError(Exception):
    """An input that cannot be read at all (exit status 2)."""


def inside(real: str, boundary: str | None) -> bool:
    """Whether a resolved path lies in the tree `boundary` (a resolved directory)."""
    if boundary is None:
        return True
    return real == boundary or real.startswith(boundary.rstrip("/") + "/")


_KINDS = [(stat.S_ISFIFO, "a fifo"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory")]


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    for test, words in _KINDS:
        if test(mode):
            return words
    return "not a regular file"


def _escape_problem(path: Path, boundary: str | None) -> str | None:
    """Why a walked entry must not be read (it leads outside the tree), or None."""
    real = os.path.realpath(path)
    if inside(real, boundary):
        return None
    try:
        mode = os.stat(real).st_mode
        what = "file" if stat.S_ISREG(mode) else file_kind(mode)
    except OSError:
        what = "missing"
    return f"symbolic link to {real} ({what}) leads outside the tree being checked ({boundary}); not read"


def _entry_problem(path: Path) -> str | None:
    """Why a file named like a configuration file cannot be read, or None."""
    try:
        st = os.stat(path)
    except OSError as e:
        return f"cannot read file: {e.strerror or e}"
    if not stat.S_ISREG(st.st_mode):
        return f"{file_kind(st.st_mode)}, not a regular file; not checked"
    if not os.access(path, os.R_OK):
        return "cannot read file: Permission denied"
    return None


def _match(rel: str, patterns: list[tuple[str, str]]) -> str | None:
    for pat, fmt in patterns:
        if fnmatch.fnmatchcase(rel, pat):
            return fmt
    return None


def classify_name(name: str, rel: str | None = None) -> str | None:
    if rel is not None:
        fmt = _match(rel, formats.host_patterns())
        if fmt:
            return fmt
    if rel:
        for rx, fmt in formats.located_patterns():
            if rx.search(rel):
                return fmt
    return _match(name, formats.name_patterns())


def classify(path: Path, rel: str | None = None) -> str | None:
    fmt = classify_name(path.name, rel)
    if fmt:
        return fmt
    return _sniff_file(path)


def _sniff_file(path: Path) -> str | None:
    try:  # never block on a fifo or read a device: regular files only
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        head = os.read(fd, 8192)
    except OSError:
        return None
    finally:
        os.close(fd)
    if b"\0" in head:
        return None
    return sniff(head.decode("utf-8", "replace"))


def is_host_root(d: Path) -> bool:
    return (d / "etc").is_dir() or (d / "var" / "lib" / "pacemaker").is_dir()


def _join(display: str, rel: str) -> str:
    if display in ("", "."):
        return rel
    return display.rstrip("/") + "/" + rel


# Host roots shown under another name (real path -> display): a node read
# over ssh is a private directory shown as ssh://host/ROOT/ (sanlint.remote).
ALIASES: dict[str, str] = {}


def discover(paths: list[str], hosts: list[tuple[str, str]] | None = None) -> Discovery:
    """The inputs of PATHs that hold one cluster (see `discover_clusters`)."""
    clusters = discover_clusters(paths, hosts)
    if len(clusters) != 1:
        raise UsageError(f"{' '.join(paths)}: {len(clusters)} clusters ({', '.join(str(c.name) for c in clusters)}); "
                         "expected one")
    return clusters[0]


def discover_clusters(paths: list[str], hosts: list[tuple[str, str]] | None = None) -> list[Discovery]:
    """One Discovery per cluster, in the order given (a repository's in path order).

    Host roots, `etc` directories and files given as PATHs, and --host
    values, form one cluster together (as `check site/a site/b` checks one
    site); a site or a repository given as a PATH is its own cluster(s).
    A PATH that holds no configuration at all is a UsageError that says
    what was looked for (a gate that checks nothing must not pass)."""
    loose = Discovery()
    clusters: list[Discovery] = []
    seen: set[str] = set()  # real paths of the cluster directories already found (a PATH given twice, nested PATHs)
    for name, p in hosts or []:
        path = Path(p)
        if not path.exists():
            raise UsageError(f"{p}: no such file or directory")
        root = path.parent if path.name == "etc" and path.is_dir() else path
        before = _size(loose)
        if path.is_dir():
            shown = ALIASES.get(os.path.realpath(root)) or (p if path.name != "etc" else str(Path(p).parent))
            _walk_host(loose, _loose_host(loose, name, root, shown), root, shown, os.path.realpath(root))
        else:
            _add_file(loose, loose.host(name, None), path, p, None, os.path.dirname(os.path.realpath(path)))
        if _size(loose) == before:
            raise UsageError(f"--host {name}={p}: {nothing_found()}")
    for p in paths:
        _discover_one(loose, clusters, seen, p)
    roots = [f"{h.name} ({h.root})" for h in loose.hosts.values() if h.name and h.root is not None]
    if roots:
        loose.notes.append("layout: host roots given one by one, checked as one site: " + ", ".join(roots))
    if not loose.hosts and not loose.cluster_files and clusters:
        for c in clusters[:1]:  # problems met between clusters (an unreadable directory): reported with the first
            c.problems[:0] = loose.problems
            c.skipped[:0] = loose.skipped
            c.refused |= loose.refused
        return clusters
    return [loose, *clusters]


def nothing_found() -> str:
    """What a PATH holding no configuration was searched for, in words."""
    homes = sorted({p[4:] + ("/" if p in formats.host_dirs() else "") for p in
                    [*formats.host_files(), *formats.host_dirs()] if p.startswith("etc/")})
    names = [n for n, _ in formats.name_patterns()]
    return ("no configuration file found; looked for host roots (DIR/etc/ holding " + ", ".join(homes) +
            "; or DIR/var/lib/pacemaker/cib/), sites (directories of host roots), and at any depth files named "
            + ", ".join(names) + " or whose content is DRBD, crm or CIB configuration")


def _size(disc: Discovery) -> int:
    return (sum(len(h.files) for h in disc.hosts.values()) + len(disc.cluster_files) + len(disc.problems)
            + len(disc.skipped))


def _loose_host(disc: Discovery, name: str, root: Path, shown: str) -> FoundHost:
    """The host `name` of the cluster of host roots given one by one; a second
    root of the same name is another cluster's host: never merged."""
    have = disc.hosts.get(name)
    if have is not None and have.root is not None and os.path.realpath(have.root) != os.path.realpath(root):
        raise UsageError(f"{shown}: a second host named {name!r} (the first is {have.root}): hosts of two clusters "
                         "are never merged; check the clusters' site directories, or name the hosts with --host NAME=PATH")
    return disc.host(name, root)


def _discover_one(loose: Discovery, clusters: list[Discovery], seen: set[str], arg: str) -> None:
    path = Path(arg)
    if not path.exists() and not path.is_symlink():
        raise UsageError(f"{arg}: no such file or directory")
    if not os.access(path, os.R_OK):
        raise UsageError(f"{arg}: permission denied")
    if path.is_file():
        # a file named on the command line: its own directory is the tree
        _add_file(loose, loose.host("", None), path, arg, None, os.path.dirname(os.path.realpath(path)), explicit=True)
        loose.notes.append(f"{arg}: a file given on its own, read as part of one anonymous host")
        return
    if not path.is_dir():
        raise UsageError(f"{arg}: not a regular file or directory")
    resolved = path.resolve()
    boundary = str(resolved)
    before = _size(loose)
    if path.name == "etc" or resolved == Path("/etc"):
        root = path.parent if path.name == "etc" else resolved.parent
        name = socket.gethostname() if resolved == Path("/etc") else root.resolve().name
        shown = str(path.parent) if path.name == "etc" else "/"
        _walk_host(loose, _loose_host(loose, name, root, shown), root, shown, os.path.realpath(root))
    elif is_host_root(path):
        _walk_host(loose, _loose_host(loose, resolved.name, path, arg), path, arg, boundary)
    else:
        if boundary in seen:
            return
        n = len(clusters)
        _scan(loose, clusters, seen, path, arg, boundary, set())
        clusters[n:] = [c for c in clusters[n:] if _size(c)]  # a site whose host roots hold nothing of the SAN stack
        if len(clusters) > n or _size(loose) > before:
            return
    if _size(loose) == before:
        raise UsageError(f"{arg}: {nothing_found()}")


def _subdirs(d: Path) -> list[Path]:
    try:
        return sorted(c for c in d.iterdir() if not c.name.startswith(".") and c.is_dir())
    except OSError:
        return []


def _is_site(d: Path) -> bool:
    return any(is_host_root(c) for c in _subdirs(d))


def _scan(loose: Discovery, clusters: list[Discovery], seen: set[str], d: Path, shown: str, boundary: str,
          visited: set[tuple[int, int]]) -> None:
    """A directory that is not a host root: a site, a directory of loose
    configuration files, or a repository to search deeper."""
    try:
        st = os.stat(d)
        entries = sorted(d.iterdir())
    except OSError as e:
        loose.problems.append((shown, f"cannot read directory: {e.strerror or e}; not checked"))
        return
    if (st.st_dev, st.st_ino) in visited:
        loose.problems.append((shown, "directory loop (symbolic link back to a parent), not followed"))
        return
    visited.add((st.st_dev, st.st_ino))
    real = os.path.realpath(d)
    subdirs = [c for c in entries if not c.name.startswith(".") and c.is_dir()]
    host_dirs = [c for c in subdirs if is_host_root(c)]
    if host_dirs:
        if real not in seen:
            seen.add(real)
            site = Discovery(name=_name(shown))
            _walk_site(site, d, shown, boundary, host_dirs)
            site.notes.append(f"layout: {_name(shown)} is a site; its host roots are hosts "
                              f"{', '.join(h.name for h in host_dirs)}; files at its top level are cluster-wide")
            clusters.append(site)
        others = [c for c in subdirs if c not in host_dirs]
    elif _holds_config(d, entries):
        if real not in seen:
            seen.add(real)
            group = Discovery(name=_name(shown))
            nested: list[Path] = []
            _walk_plain(group, d, shown, boundary, nested)
            if _size(group):
                clusters.append(group)
                group.assumed.append(f"{_name(shown)}: no host root (DIR/etc/...) or site found, so its files are "
                                     "read as one anonymous host: rules that compare hosts cannot run")
            others = nested
        else:
            others = []
    else:
        others = subdirs
    for c in others:
        sub = _join(shown, os.path.relpath(c, d).replace(os.sep, "/"))
        why = _escape_problem(c, boundary)
        if why:
            loose.refuse(c, sub, why)
            continue
        _scan(loose, clusters, seen, c, sub, boundary, visited)


def _name(shown: str) -> str:
    return shown.rstrip("/") or shown


def _holds_config(d: Path, entries: list[Path]) -> bool:
    """Whether a directory directly holds a configuration file (or a file named like one)."""
    for f in entries:
        if f.name.startswith(".") or is_leftover(f.name) or f.is_dir():
            continue
        if classify_name(f.name) is not None or (f.is_file() and _sniff_file(f) is not None):
            return True
    return False


def _walk_site(disc: Discovery, path: Path, arg: str, boundary: str, host_dirs: list[Path]) -> None:
    """A site: links between its hosts are fine, nothing outside it is read."""
    for d in host_dirs:
        shown = _join(arg, d.name)
        why = _escape_problem(d, boundary)
        if why:
            disc.refuse(d, shown, why)
            continue
        _walk_host(disc, disc.host(d.name, d), d, shown, boundary)
    for f in sorted(path.iterdir()):
        if f.name.startswith(".") or f.is_dir():
            continue
        shown = _join(arg, f.name)
        if is_leftover(f.name):
            disc.skipped.append(shown)
            continue
        fmt = classify(f)
        if fmt is None:
            if classify_name(f.name) is not None or not os.access(f, os.R_OK) or not f.is_file():
                why = _escape_problem(f, boundary) or _entry_problem(f)
                if why:
                    disc.refuse(f, shown, why)
            continue
        if fmt in formats.cluster_formats():
            disc.cluster_files.append(FoundFile(f, shown, fmt, boundary=boundary))
        else:
            _add_file(disc, disc.host("", None), f, shown, None, boundary)


def _add_file(disc: Discovery, host: FoundHost, path: Path, display: str, rel: str | None, boundary: str | None,
              explicit: bool = False) -> None:
    expected = _match("/" + (rel or display), [(p if p.startswith("*") else "*/" + p, f) for p, f in formats.homes()])
    named = classify_name(path.name, rel)
    if not explicit:
        why = _escape_problem(path, boundary)
        if why is None and (named is not None or expected is not None):
            why = _entry_problem(path)  # a fifo, device, directory or unreadable file named like configuration
        if why is not None:
            if named is not None or expected is not None:
                disc.refuse(path, display, why)
            return
    fmt = named or _sniff_file(path)
    if expected is not None:
        sniffed = _sniff_file(path)
        if sniffed is not None and sniffed != expected and not (expected == "tgt" and sniffed == "ietd"):
            fmt = sniffed  # e.g. a crm snippet saved as drbd.d/x.res: SAN003, not a parse error
    if fmt is None and not explicit and expected is None:
        return  # an explicitly named file of unknown format: reported as SAN003 by the builder
    host.files.append(FoundFile(path, display, fmt, expected, boundary))


def _walk(disc: Discovery, top: Path, root: Path, display: str, boundary: str | None,
          prune: Callable[[Path], bool] | None = None):
    """os.walk inside the tree: yields (dirpath, rel_here, filenames); directory
    links that lead outside, loops and unreadable directories are reported;
    directories for which `prune` is true are not entered."""
    seen: set[tuple[int, int]] = set()

    def onerror(e: OSError) -> None:
        where = os.path.relpath(e.filename, root).replace(os.sep, "/") if e.filename else "."
        disc.problems.append((_join(display, where), f"cannot read directory: {e.strerror or e}; not checked"))

    why = _escape_problem(top, boundary)
    if why:
        disc.problems.append((_join(display, os.path.relpath(top, root).replace(os.sep, "/")), why))
        return
    for dirpath, dirnames, filenames in os.walk(top, followlinks=True, onerror=onerror):
        rel_here = os.path.relpath(dirpath, root).replace(os.sep, "/")
        st = os.stat(dirpath)
        if (st.st_dev, st.st_ino) in seen:
            disc.problems.append((_join(display, rel_here), "directory loop (symbolic link back to a parent), not followed"))
            dirnames[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        kept = []
        for d in sorted(dirnames):
            if d.startswith("."):
                continue
            rel = f"{rel_here}/{d}" if rel_here != "." else d
            why = _escape_problem(Path(dirpath) / d, boundary)
            if why is None and classify_name(d, rel) is not None and "." in d:
                why = "a directory, not a regular file; not checked"  # e.g. drbd.d/r0.res/
            if why is not None:
                disc.refuse(Path(dirpath) / d, _join(display, rel), why)
                continue
            if prune is not None and prune(Path(dirpath) / d):
                continue
            kept.append(d)
        dirnames[:] = kept
        yield dirpath, rel_here, sorted(filenames)


def _walk_plain(disc: Discovery, top: Path, arg: str, boundary: str, nested: list[Path]) -> None:
    """A directory of loose configuration files: one anonymous host.  Sites
    inside it are other clusters: listed in `nested`, not walked."""
    host = disc.host("", None)

    def site_inside(d: Path) -> bool:
        if _is_site(d):
            nested.append(d)
            return True
        return False

    for dirpath, _rel_here, filenames in _walk(disc, top, top, arg, boundary, site_inside):
        for fname in filenames:
            if fname.startswith("."):
                continue
            full = Path(dirpath) / fname
            rel = os.path.relpath(full, top).replace(os.sep, "/")
            if is_leftover(fname):
                disc.skipped.append(_join(arg, rel))
                continue
            if _escape_problem(full, boundary) or _entry_problem(full):
                if classify_name(fname, rel) is not None:
                    disc.refuse(full, _join(arg, rel), _escape_problem(full, boundary) or _entry_problem(full))
                continue
            fmt = classify(full, rel)
            if fmt is None:
                continue
            found = FoundFile(full, _join(arg, rel), fmt, boundary=boundary)
            if fmt in formats.cluster_formats() and "/" not in rel:
                disc.cluster_files.append(found)
            else:
                host.files.append(found)


def _walk_host(disc: Discovery, host: FoundHost, root: Path, display: str, boundary: str | None) -> None:
    for rel in formats.host_files():
        f = root / rel
        if f.exists() or f.is_symlink():
            _add_file(disc, host, f, _join(display, rel), rel, boundary)
    for rel_dir in formats.host_dirs():
        top = root / rel_dir
        if not top.is_dir():
            continue
        for dirpath, rel_here, filenames in _walk(disc, top, root, display, boundary):
            for fname in filenames:
                full = Path(dirpath) / fname
                rel = f"{rel_here}/{fname}"
                if fname.startswith("."):
                    continue
                if is_leftover(fname):
                    disc.skipped.append(_join(display, rel))
                    continue
                _add_file(disc, host, full, _join(display, rel), rel, boundary)
    # crm files anywhere directly under etc/ or the root
    for f in sorted(list(root.glob("*.crm")) + list((root / "etc").glob("*.crm"))):
        rel = os.path.relpath(f, root).replace(os.sep, "/")
        why = _escape_problem(f, boundary) or _entry_problem(f)
        if why:
            disc.refuse(f, _join(display, rel), why)
            continue
        host.files.append(FoundFile(f, _join(display, rel), "crm", boundary=boundary))
    _boot_links(host, root, display)


def _boot_links(host: FoundHost, root: Path, display: str) -> None:
    """Services enabled at boot: systemd *.wants/ and *.requires/ links (sbd.service
    is `RequiredBy=pacemaker.service`) and SysV rcN.d/S* links."""
    systemd = root / "etc" / "systemd" / "system"
    if systemd.is_dir():
        for wants in sorted(list(systemd.glob("*.wants")) + list(systemd.glob("*.requires"))):
            for link in sorted(wants.iterdir()):
                rel = os.path.relpath(link, root).replace(os.sep, "/")
                host.boot_links.append((link, _join(display, rel)))
    for rc in sorted(list((root / "etc").glob("rc[0-6S].d")) + list((root / "etc" / "init.d").glob("rc[0-6S].d"))):
        for link in sorted(rc.iterdir()):
            if link.name.startswith("S"):
                rel = os.path.relpath(link, root).replace(os.sep, "/")
                host.boot_links.append((link, _join(display, rel)))
