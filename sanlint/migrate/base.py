"""The pieces every migrator is made of (see the package docstring).

A `Migrator` reads the site model and returns a `MigrationPlan`: the
`Change`s (byte-span `Edit`s on the original files, and new files), the
`Item`s it could not carry over or that the admin must decide, and the
`OperatorStep`s to run on the hosts.  It never writes anything itself:
`sanlint.migrate.engine` applies, verifies and writes plans.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from sanlint.rule import SEVERITY_RANK, Edit, locate
from sanlint.source import SourceFile, Span

if TYPE_CHECKING:
    from sanlint.model import Site

ENTRY_POINT_GROUP = "sanlint.migrators"
CONVERTER_GROUP = "sanlint.converters"
# modules of this package that hold framework code, not migrators
_FRAMEWORK_MODULES = {"base", "engine", "commands", "runbook", "steps"}


@dataclass
class NewFile:
    """A file the migration creates.  `path` is relative to the root of
    `host` (`etc/target/saveconfig.json`), or, with `host=None`, relative to
    the site directory (`cluster.crm`)."""

    path: str
    data: bytes
    host: str | None = None
    format: str | None = None  # parser to verify it with (None: classified by name)

    @classmethod
    def text(cls, path: str, text: str, host: str | None = None, format: str | None = None) -> "NewFile":
        return cls(path, text.encode("utf-8", "surrogateescape"), host, format)


@dataclass
class Change:
    """One thing the migration does and why.  A change may carry no edit of
    its own when a neighbouring change's edit does the work (e.g. several
    options moved into one new section): it is still reported."""

    reason: str
    span: Span | None = None  # where the changed statement was (for the report)
    edits: list[Edit] = field(default_factory=list)
    new_files: list[NewFile] = field(default_factory=list)

    @property
    def location(self) -> str:
        return _where(self.span, None, 1, 1)


ITEM_KINDS = ("unmappable", "decision", "note")


@dataclass
class Item:
    """Something the migration could not carry over (`unmappable`), a choice
    it made that the admin must confirm (`decision`), or a semantic change to
    know about (`note`).  Printed as `path:line:col: severity: message`.

    severity: `error` (the result lacks or changes something the input had),
    `warning` (the admin must decide or confirm), `info` (good to know)."""

    severity: str
    message: str
    span: Span | None = None
    kind: str = "unmappable"
    choice: str | None = None  # how to decide otherwise (a --set option, an edit to make)
    path: str | None = None  # for items without a span
    line: int = 1
    column: int = 1
    host: str | None = None

    def __post_init__(self) -> None:
        assert self.severity in SEVERITY_RANK, self.severity
        assert self.kind in ITEM_KINDS, self.kind
        locate(self)

    @property
    def location(self) -> str:
        return _where(None, self.path, self.line, self.column)

    @property
    def sort_key(self) -> tuple:
        return (self.path or "", self.line, self.column, self.message)

    def to_json(self) -> dict[str, Any]:
        return {"severity": self.severity, "kind": self.kind, "message": self.message, "choice": self.choice,
                "path": self.path, "line": self.line, "column": self.column, "host": self.host}


@dataclass
class OperatorStep:
    """A host-side action the configuration change alone cannot do."""

    title: str
    commands: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)  # where to run it; empty = every node

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "commands": self.commands, "caveats": self.caveats, "hosts": self.hosts}


@dataclass
class MigrationPlan:
    migrator: str
    changes: list[Change] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    steps: list[OperatorStep] = field(default_factory=list)  # legacy free-text steps (the runbook replaces them)
    facts: dict[str, Any] = field(default_factory=dict)  # what the migrator's runbook() needs from plan()

    def change(self, reason: str, span: Span | None = None, edits: list[Edit] | None = None) -> Change:
        c = Change(reason, span, list(edits or []))
        self.changes.append(c)
        return c

    def item(self, severity: str, message: str, span: Span | None = None, kind: str = "unmappable",
             choice: str | None = None) -> Item:
        it = Item(severity, message, span, kind=kind, choice=choice)
        self.items.append(it)
        return it

    def edits(self) -> list[Edit]:
        return [e for c in self.changes for e in c.edits]

    def new_files(self) -> list[NewFile]:
        return [n for c in self.changes for n in c.new_files]

    @property
    def empty(self) -> bool:
        """No edit and no new file: the site is already migrated."""
        return not self.edits() and not self.new_files()


def option_name(name: str) -> str:
    """A migrator option as `--set` spells it: lower case, words joined by dashes."""
    return name.strip().lower().replace("_", "-")


class Migrator:
    """Base class of every migrator.  Subclasses set the class attributes and
    implement `plan`; they are found by `registry()`, not listed by hand."""

    name: ClassVar[str] = ""  # `sanlint migrate NAME`
    description: ClassVar[str] = ""
    formats: ClassVar[tuple[str, ...]] = ()  # file formats it reads/edits (parse errors there are items)
    rules: ClassVar[tuple[str, ...]] = ()  # rule codes the migration is about: checked on the result
    settings: ClassVar[dict[str, str]] = {}  # settings for that check, e.g. {"drbd-version": "9"}
    # --set NAME=VALUE choices: name -> (default, allowed values, help)
    options: ClassVar[dict[str, tuple[str, tuple[str, ...], str]]] = {}

    def __init__(self, choices: dict[str, str] | None = None) -> None:
        self.choices = {k: v[0] for k, v in self.options.items()}
        # `--set` names are written with dashes (`--set vg-access-mode=tagging`); an option
        # declared with underscores (an agent parameter's name) is accepted both ways
        names = {option_name(k): k for k in self.options}
        for given, v in (choices or {}).items():
            k = names.get(option_name(given))
            if k is None:
                known = ", ".join(sorted(names)) or "none"
                raise ValueError(f"migrator {self.name} has no option {given!r} (options: {known})")
            allowed = self.options[k][1]
            if allowed and v not in allowed:
                raise ValueError(f"--set {option_name(k)}: {v!r} is not one of {', '.join(allowed)}")
            self.choices[k] = v

    def plan(self, site: "Site") -> MigrationPlan:  # pragma: no cover - abstract
        raise NotImplementedError

    def runbook(self, ctx):
        """The plan as ordered steps per node (`sanlint.migrate.runbook`):
        (steps, notes).  The default installs the migrated files node by node."""
        from sanlint.migrate.runbook import generic_steps

        return generic_steps(ctx)


class Converter:
    """A one-file translation (`sanlint convert NAME FILE`), e.g. crm2cib.
    `convert` returns the translated text plus items for what it could not
    translate; it never writes."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    source_format: ClassVar[str] = ""

    def convert(self, src: SourceFile) -> tuple[str, list[Item]]:  # pragma: no cover - abstract
        raise NotImplementedError


def _where(span: Span | None, path: str | None, line: int, column: int) -> str:
    if span is not None:
        return f"{span.path}:{span.line}:{span.column}"
    return f"{path or '-'}:{line}:{column}"


# -- registry -------------------------------------------------------------------

_cache: dict[str, dict[str, type]] = {}


def _collect(base: type, group: str) -> dict[str, type]:
    import sanlint.migrate as pkg

    found: dict[str, type] = {}

    def add(cls: type, origin: str) -> None:
        other = found.get(cls.name)
        if other is not None and other is not cls:
            raise RuntimeError(f"two {base.__name__.lower()}s named {cls.name!r}: {other.__module__} and {origin}")
        found[cls.name] = cls

    def scan(module: Any) -> None:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, base) and value is not base and value.name \
                    and value.__module__ == module.__name__:
                add(value, module.__name__)

    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("_") or info.name in _FRAMEWORK_MODULES:
            continue
        scan(importlib.import_module(f"sanlint.migrate.{info.name}"))
    try:
        from importlib.metadata import entry_points

        for ep in entry_points(group=group):
            obj = ep.load()
            if isinstance(obj, type) and issubclass(obj, base):
                add(obj, ep.value)
            else:
                scan(obj)
    except Exception as e:  # a broken third-party plug-in must not break the built-in ones
        import sys

        sys.stderr.write(f"sanlint: cannot load {group} entry points: {type(e).__name__}: {e}\n")
    return dict(sorted(found.items()))


def registry() -> dict[str, type[Migrator]]:
    """Every migrator by name: modules of the `sanlint.migrate` package and
    the `sanlint.migrators` entry-point group (a module or a class)."""
    if "m" not in _cache:
        _cache["m"] = _collect(Migrator, ENTRY_POINT_GROUP)
    return _cache["m"]  # type: ignore[return-value]


def converters() -> dict[str, type[Converter]]:
    if "c" not in _cache:
        _cache["c"] = _collect(Converter, CONVERTER_GROUP)
    return _cache["c"]  # type: ignore[return-value]
