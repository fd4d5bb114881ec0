"""Running a migrator: plan, apply the edits in memory, verify, write.

* `run_migration` builds the site, asks the migrator for its plan, adds
  items for input files that could not be parsed, and applies every edit to
  the original bytes (`sanlint.fixes.apply_edits`).
* Every edited or created file is re-parsed with the parser of its format;
  a migration that would leave an unparsable file is refused as a whole.
* `write_in_place` writes through `sanlint.apply` (one run: lock, originals kept, journal);
  `write_output_dir` copies the whole input under DIR (same layout) and
  writes the migrated files there, building DIR beside it and renaming it
  into place at the end.
* `post_check` runs the rules the migration is about on the result.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sanlint.fixes import OverlapError, apply_edits, edits_diff, unified_diff
from sanlint.migrate.base import Item, MigrationPlan, Migrator
from sanlint.rule import Edit
from sanlint.source import ParseError, SourceFile


class MigrationRefused(Exception):
    """The migration would produce a broken result; nothing is written."""


@dataclass
class Outcome:
    plan: MigrationPlan
    old: dict[str, bytes] = field(default_factory=dict)  # real path -> original bytes
    new: dict[str, bytes] = field(default_factory=dict)  # real path -> migrated bytes (changed files only)
    display: dict[str, str] = field(default_factory=dict)  # real path -> display path
    sources: dict[str, SourceFile] = field(default_factory=dict)
    site: object = None  # the input site (for redacting its secrets in reports)
    edits: dict[str, list] = field(default_factory=dict)  # real path -> the edits applied to it
    created: dict[str, bytes] = field(default_factory=dict)  # absolute destination -> bytes (new files)
    refused: list[str] = field(default_factory=list)
    runbook: object = None  # sanlint.migrate.runbook.Runbook, built by the command

    def file_diff(self, real: str) -> str:
        """One changed file's unified diff, built from its edits (linear)."""
        return edits_diff(self.old[real], self.edits[real], self.display[real])

    def diff(self) -> str:
        out = [self.file_diff(r) for r in sorted(self.new, key=self.display.get)]
        for dest, data in sorted(self.created.items()):
            out.append(unified_diff(b"", data, self.display.get(dest, dest)))
        return "".join(out)


def real_of(src: SourceFile) -> str:
    return os.path.realpath(src.path) if src.path is not None else src.display


def realise(plan: MigrationPlan, site, site_root: str | None = None) -> Outcome:
    """Apply the plan's edits in memory and verify the results parse."""
    out = Outcome(plan, site=site)
    per_file: dict[str, list[Edit]] = {}
    for e in plan.edits():
        real = real_of(e.file)
        per_file.setdefault(real, []).append(e)
        out.sources.setdefault(real, e.file)
    for real, edits in per_file.items():
        src = out.sources[real]
        if any(e.file is not src and e.file.data != src.data for e in edits):
            out.refused.append(f"{src.display}: edits refer to two different versions of the file (internal error)")
            continue
        try:
            data = apply_edits(src.data, edits)
        except OverlapError as e:
            out.refused.append(f"{src.display}: the migration's edits overlap ({e}; internal error, please report)")
            continue
        if data == src.data:
            continue
        out.old[real], out.new[real], out.display[real] = src.data, data, src.display
        out.edits[real] = edits
        problem = verify(SourceFile(display=src.display, data=data, path=src.path, host=src.host, format=src.format))
        if problem:
            out.refused.append(problem)
    for nf in plan.new_files():
        dest = new_file_destination(nf, site, site_root)
        if dest is None:
            out.refused.append(f"{nf.path}: no place to create it (host {nf.host!r} has no root directory)")
            continue
        if os.path.exists(dest):
            if Path(dest).read_bytes() == nf.data:
                continue
            out.refused.append(f"{dest}: exists already; the migration would overwrite it")
            continue
        out.created[dest] = nf.data
        out.display[dest] = os.path.join(_display_root(site, nf.host, site_root), nf.path)
        from sanlint.discovery import classify_name

        fmt = nf.format or classify_name(os.path.basename(nf.path), nf.path)
        if fmt:
            problem = verify(SourceFile(display=out.display[dest], data=nf.data, path=Path(dest), host=nf.host,
                                        format=fmt))
            if problem:
                out.refused.append(problem)
    return out


def verify(src: SourceFile) -> str | None:
    """None if the file parses with its format's parser, else a message."""
    from sanlint.parsers import parse

    if src.format is None:
        return None
    try:
        parse(src)
    except ParseError as e:
        return f"{src.display}:{e.line}:{e.column}: the migrated file would not parse: {e.describe()}"
    except Exception as e:  # noqa: BLE001 - a parser bug is a refusal, not a crash
        return f"{src.display}: the migrated file could not be checked ({type(e).__name__}: {e})"
    return None


def new_file_destination(nf, site, site_root: str | None) -> str | None:
    """Absolute, symlink-resolved destination (compared with real input paths)."""
    if nf.host is None:
        return os.path.realpath(os.path.join(site_root, nf.path)) if site_root else None
    host = site.hosts.get(nf.host) if hasattr(site.hosts, "get") else None
    root = getattr(host, "root", None)
    return os.path.realpath(os.path.join(str(root), nf.path)) if root is not None else None


def _display_root(site, host: str | None, site_root: str | None) -> str:
    if host is None:
        return site_root or "."
    h = site.hosts.get(host)
    return str(getattr(h, "root", None) or host)


def input_problems(migrator: Migrator, problems) -> list[Item]:
    """Input files of the migrator's formats that could not be read or parsed."""
    items = []
    for p in problems:
        if p.code not in ("SAN001", "SAN002"):
            continue
        fmt = p.span.file.format if p.span is not None else None
        if fmt is not None and migrator.formats and fmt not in migrator.formats:
            continue
        it = Item("error", f"not migrated: {p.message}", p.span, kind="unmappable")
        if p.span is None:
            it.path = p.path
        items.append(it)
    return items


# -- writing -------------------------------------------------------------------------

def write_in_place(out: Outcome, backup: bool = True, paths: list[str] | None = None):
    """Write the migrated files as one `sanlint.apply` run; returns its RunResult.
    Raises ApplyError saying what was and was not changed."""
    from sanlint.apply import Change, apply, state_dir_for

    changes = [Change(real, out.old[real], data, out.display.get(real, real)) for real, data in sorted(out.new.items())]
    changes += [Change(dest, None, data, out.display.get(dest, dest)) for dest, data in sorted(out.created.items())]
    state = state_dir_for(paths or [c.path for c in changes])
    return apply(changes, state, keep_backups=backup, command=sys.argv, kind="migrate")


@dataclass
class Root:
    """One input argument and where it goes under the output directory."""

    source: str  # as given
    dest: str  # relative to DIR ("" = DIR itself)


def output_roots(paths: list[str], hosts: list[tuple[str, str]]) -> list[Root]:
    """A single directory PATH becomes DIR itself (a site stays a site); a
    PATH named `etc` becomes DIR/etc (DIR is the host root); otherwise each
    PATH goes to DIR/<its name>, and `--host NAME=PATH` to DIR/NAME."""
    roots: list[Root] = []
    if len(paths) == 1 and not hosts and os.path.isdir(paths[0]):
        p = paths[0]
        return [Root(p, "etc" if Path(p).resolve().name == "etc" and Path(p).name in ("etc", "") else "")]
    seen: set[str] = set()
    for p in paths:
        name = Path(os.path.abspath(p)).name or "root"
        if name in seen:
            raise MigrationRefused(f"two inputs named {name!r}: give them one by one to --output")
        seen.add(name)
        roots.append(Root(p, name))
    for name, p in hosts:
        if name in seen:
            raise MigrationRefused(f"host {name!r} clashes with an input of the same name under --output")
        seen.add(name)
        dest = name + ("/etc" if Path(os.path.abspath(p)).name == "etc" and os.path.isdir(p) else "")
        if os.path.isfile(p):
            dest = f"{name}/{Path(p).name}"
        roots.append(Root(p, dest))
    return roots


def write_output_dir(out: Outcome, directory: str, roots: list[Root]) -> list[str]:
    """Copy every input under DIR, then write the migrated files there.
    Returns warnings (files that could not be copied)."""
    target = os.path.abspath(directory)
    if os.path.exists(target) and (not os.path.isdir(target) or os.listdir(target)):
        raise MigrationRefused(f"{directory}: exists and is not an empty directory")
    from sanlint.apply.local import building

    warnings: list[str] = []
    with building(target, ".sanlint-migrate-") as tmp:
        mapping: list[tuple[str, str]] = []  # (real source root, destination)
        for r in roots:
            dest = os.path.join(tmp, r.dest) if r.dest else tmp
            src = r.source
            if os.path.isdir(src):
                if r.dest:
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                try:
                    shutil.copytree(src, dest, symlinks=True, dirs_exist_ok=True, ignore_dangling_symlinks=True,
                                    ignore=shutil.ignore_patterns("*.sanlint-bak", ".sanlint"))
                except shutil.Error as e:
                    for err in e.args[0]:
                        warnings.append(f"not copied: {err[0]}: {err[2]}")
            else:
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                shutil.copy2(src, dest)
            mapping.append((os.path.realpath(src), dest))
        for real, data in list(out.new.items()) + list(out.created.items()):
            dest = _map(real, mapping)
            if dest is None:
                raise MigrationRefused(f"{out.display.get(real, real)} lies outside the input PATHs; it cannot be "
                                       f"written under {directory}")
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            if os.path.islink(dest):
                os.unlink(dest)  # a symlink in the copy: the migrated file replaces it, the original stays
            with open(dest, "wb") as fh:
                fh.write(data)
    return warnings


def _map(real: str, mapping: list[tuple[str, str]]) -> str | None:
    for src_real, dest in mapping:
        if real == src_real:
            return dest
        if real.startswith(src_real.rstrip(os.sep) + os.sep):
            return os.path.join(dest, os.path.relpath(real, src_real))
    return None
