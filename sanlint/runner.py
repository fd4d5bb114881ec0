"""Load the rule packs and run them over a site.

Packs register through the `sanlint.rules` entry-point group, the bundled
ones exactly like a third-party pack: the entry point names a package, and
every module in it that defines a `Rule` subclass contributes that rule.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
import traceback
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Callable, Iterable

from sanlint.rule import SEVERITY_RANK, Context, Finding, Rule, iter_rule_classes
from sanlint.suppressions import Suppression, find as find_suppressions  # noqa: F401 (where each format lets them go)

if TYPE_CHECKING:
    from sanlint.config import Settings
    from sanlint.model import Site
    from sanlint.site import InputProblem

ENTRY_POINT_GROUP = "sanlint.rules"


class RegistryError(Exception):
    pass


@cache
def load_rules() -> dict[str, type[Rule]]:
    """All rules of all installed packs, by code."""
    rules: dict[str, type[Rule]] = {}
    for name, value in sorted(pack_entry_points(ENTRY_POINT_GROUP)):
        pack = importlib.import_module(value)
        modules = [pack]
        if hasattr(pack, "__path__"):
            for info in sorted(pkgutil.iter_modules(pack.__path__), key=lambda i: i.name):
                modules.append(importlib.import_module(f"{pack.__name__}.{info.name}"))
        for module in modules:
            for cls in iter_rule_classes(module):
                if cls.code in rules and rules[cls.code] is not cls:
                    raise RegistryError(f"rule code {cls.code} defined twice: {rules[cls.code].__module__} and {cls.__module__}")
                cls.pack = name
                rules[cls.code] = cls
    return dict(sorted(rules.items(), key=lambda kv: _code_key(kv[0])))


def pack_entry_points(group: str) -> list[tuple[str, str]]:
    """(name, value) of the entry points of `group`.  importlib.metadata reads
    the metadata of every installed distribution (~50 ms, a sixth of a small
    check); the answer is kept in the cache directory (one file, rewritten
    when its key changes) under a key made of the *.dist-info / *.egg-info
    entries of the sys.path directories with their modification times, so
    installing, upgrading or removing any package (which writes its
    dist-info anew) asks importlib.metadata again."""
    import hashlib
    import json
    import os

    h = hashlib.sha256(f"{group}\0{sys.version}".encode())
    for p in sys.path:
        try:
            with os.scandir(p or ".") as entries:
                meta = sorted((e.name, e.stat().st_mtime_ns) for e in entries
                              if e.name.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
        h.update(f"{p}\0{meta!r}\n".encode("utf-8", "surrogateescape"))
    key = h.hexdigest()[:32]
    from sanlint.parsers.grammar import cache_dir

    path = cache_dir() / f"entry-points-{group}.json"
    try:
        kept = json.loads(path.read_text())
        if kept.get("key") == key and all(isinstance(x, list) and len(x) == 2 for x in kept["points"]):
            return [(str(a), str(b)) for a, b in kept["points"]]
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        pass
    from importlib.metadata import entry_points

    found = sorted({(ep.name, ep.value) for ep in entry_points(group=group)})
    tmp = None
    try:  # best effort, atomic: a concurrent run reads the old file or the new one
        import tempfile

        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "w") as fh:
            json.dump({"key": key, "points": found}, fh)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return found


def _code_key(code: str) -> tuple[str, int]:
    m = re.match(r"([A-Z]+)(\d+)", code)
    return (m.group(1), int(m.group(2))) if m else (code, 0)


# -- running -----------------------------------------------------------------

@dataclass
class RunResult:
    findings: list[Finding]
    suppressed: list[Finding]
    site: "Site"
    rules_run: list[str]


# what each `Rule.reads` name needs in the site; a name not listed here never skips a rule
INPUTS: dict[str, Callable[["Site"], bool]] = {
    "drbd": lambda site: any(h.drbd for h in site.hosts.values()),
    "lvm": lambda site: any(h.lvm or h.volume_groups for h in site.hosts.values()),
    "iscsi": lambda site: any(h.iscsi for h in site.hosts.values()),
    "cluster": lambda site: bool(site.all_clusters()),
    "corosync": lambda site: any(h.corosync for h in site.hosts.values()),
}


def inputs_present(site: "Site") -> set[str]:
    """The `Rule.reads` names whose input the site has."""
    return {name for name, has in INPUTS.items() if has(site)}


def has_inputs(rule: type[Rule], present: set[str]) -> bool:
    """A rule runs when it reads nothing in particular, or one of its inputs is there."""
    return not rule.reads or any(r in present or r not in INPUTS for r in rule.reads)


def run(site: "Site", problems: list["InputProblem"], settings: "Settings",
        only: Iterable[str] | None = None) -> RunResult:
    """Run the selected rules over one cluster, or over each cluster of a site
    with `parts` (never across two): every finding names its cluster."""
    only = set(only) if only is not None else None
    if site.parts:
        parts = [_run_one(part, part_problems, settings, only) for part, part_problems in site.parts]
        rules_run = [code for code in load_rules() if any(code in r.rules_run for r in parts)]
        return RunResult([f for r in parts for f in r.findings], [f for r in parts for f in r.suppressed],
                         site, rules_run)
    return _run_one(site, problems, settings, only)


def _run_one(site: "Site", problems: list["InputProblem"], settings: "Settings",
             only: Iterable[str] | None) -> RunResult:
    rules = load_rules()
    ctx = Context(site=site, settings=settings.as_dict(), problems=problems)
    raw: list[Finding] = []
    selected = [code for code in rules if settings.enabled(code) and (only is None or code in only)]
    present = inputs_present(site)
    for code in selected:
        if code == "SAN004":
            continue  # needs the other findings first
        if not has_inputs(rules[code], present):
            continue  # nothing it reads is in the site (`sanlint rules` lists what each rule reads)
        rule = rules[code]()
        try:
            raw.extend(rule.check(ctx))
        except Exception as e:  # a rule bug must not hide the other findings
            sys.stderr.write(f"sanlint: internal error in rule {code} (please report this): "
                             f"{type(e).__name__}: {e}\n{''.join(traceback.format_exc(limit=-3))}")
    for f in raw:
        f.severity = settings.severity.get(f.code, f.severity)
    # suppressions
    sups: dict[int, list[Suppression]] = {}
    for src in site.files:
        found = find_suppressions(src)
        if found:
            sups[id(src)] = found
    by_file: dict[str, list[Suppression]] = {}
    for src in site.files:
        if id(src) in sups:
            by_file.setdefault(src.display, []).extend(sups[id(src)])
    kept, suppressed = [], []
    for f in raw:
        if f.path and settings.ignored_for(f.code, f.path):
            suppressed.append(f)
            continue
        hit = None
        for s in by_file.get(f.path or "", []):
            if f.line in s.covers and any(c == f.code for c, _ in s.codes):
                hit = s
                break
        if hit is not None:
            hit.used.add(f.code)
            suppressed.append(f)
        else:
            kept.append(f)
    if "SAN004" in selected:
        from sanlint_rules.san.san004_unused_suppression import unused_suppressions

        all_sups = [s for lst in sups.values() for s in lst]
        kept.extend(unused_suppressions(rules["SAN004"](), all_sups, set(rules), set(selected)))
    kept.sort(key=lambda f: f.sort_key)
    for f in kept + suppressed:
        f.cluster = site.name
    return RunResult(kept, suppressed, site, selected)


def fails(findings: list[Finding], fail_on: str) -> bool:
    if fail_on == "never":
        return False
    threshold = SEVERITY_RANK[fail_on]
    return any(SEVERITY_RANK.get(f.severity, 2) >= threshold for f in findings)
