"""What a rule is: code, name, severity, the model views it reads, a
docstring in fixed sections, and a `check` generator over the site model.

A rule module's docstring is its documentation page (`sanlint explain
CODE`, SARIF help, the audit report).  Its sections, in this order::

    What it checks / Why it matters / Example / Use instead / Fix safety / Source

The fenced code blocks under *Example* and *Use instead* are executable:
their info string names the file they stand for, relative to a host root
(``` ```drbd path=etc/drbd.d/r0.res ```), or to the site
(``` ```crm path=@cluster.crm ``` for a cluster-wide file, ``` path=san-2:etc/... ```
for a second host).  The test suite builds a site from them and checks that
the *Example* fires the rule and *Use instead* does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Iterator

from sanlint.source import SourceFile, Span

if TYPE_CHECKING:
    from sanlint.model import Site

SEVERITIES = ("info", "warning", "error")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Edit:
    """Replace bytes `[start, end)` of `file` by `replacement`."""

    file: SourceFile
    start: int
    end: int
    replacement: str

    @classmethod
    def replace(cls, span: Span, replacement: str) -> "Edit":
        return cls(span.file, span.start, span.end, replacement)

    @classmethod
    def insert(cls, file: SourceFile, offset: int, text: str) -> "Edit":
        return cls(file, offset, offset, text)

    @classmethod
    def delete_lines(cls, span: Span) -> "Edit":
        """Delete the whole lines the span covers (with their newline)."""
        data = span.file.data
        start = data.rfind(b"\n", 0, span.start) + 1
        end = data.find(b"\n", span.end)
        end = len(data) if end < 0 else end + 1
        if data[start:span.start].strip() or data[span.end:end].strip():
            return cls(span.file, span.start, span.end, "")  # other statements share the line
        return cls(span.file, start, end, "")


@dataclass
class Fix:
    """A set of edits that together repair one finding.

    `safe`: applied by `--fix`; unsafe fixes (behaviour the admin must
    confirm) need `--unsafe-fixes`.  `needs_choice`: the edit holds a
    placeholder the admin must fill in (which node-id, which VG): listed by
    `--diff` and `--fix` beside the patch, never a hunk, never applied.
    """

    edits: list[Edit]
    description: str
    safe: bool = True
    needs_choice: bool = False

    @property
    def applicability(self) -> str:
        return "display-only" if self.needs_choice else ("safe" if self.safe else "unsafe")


def locate(record: Any) -> None:
    """Fill a finding's (or migration item's) path/line/column/host from its span."""
    span = record.span
    if span is not None:
        record.path = span.path
        record.line = span.line
        record.column = span.column
        if record.host is None:
            record.host = span.host


@dataclass
class Finding:
    code: str
    severity: str
    message: str
    span: Span | None = None
    path: str | None = None  # for findings without a span (e.g. unreadable file)
    line: int = 1
    column: int = 1
    host: str | None = None
    fix: Fix | None = None
    identity: str = ""  # the object's identity, stable across line moves (baselines, SARIF)
    rule_name: str = ""
    cluster: str | None = None  # the cluster's directory (Site.name), set by the runner

    def __post_init__(self) -> None:
        locate(self)

    @property
    def sort_key(self) -> tuple:
        return (self.path or "", self.line, self.column, self.code, self.message)

    @property
    def fixable(self) -> bool:
        return self.fix is not None and not self.fix.needs_choice


@dataclass
class Context:
    """What a rule sees: the site model plus the effective settings."""

    site: "Site"
    settings: dict[str, Any] = field(default_factory=dict)
    problems: list[Any] = field(default_factory=list)  # InputProblems of the site builder (SAN0xx)

    @property
    def drbd_version(self) -> str | None:
        return self.site.drbd_version

    @property
    def pacemaker_version(self) -> str | None:
        return self.site.pacemaker_version


class Rule:
    """Base class of every rule.  Subclasses set the class attributes and
    implement `check`; they are found by the pack loader, not listed by hand."""

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""  # kebab-case, e.g. "drbd-port-clash"
    severity: ClassVar[str] = "warning"
    # model inputs: drbd, lvm, iscsi, cluster, corosync (+ network, files, ... which never skip): the
    # runner skips a rule when the site has none of them (runner.INPUTS); `sanlint rules` shows them
    reads: ClassVar[tuple[str, ...]] = ()
    # what kind of fix the rule offers: "no", or the least safe applicability one of its fixes may
    # have ("safe" < "unsafe" < "choice"); tests/test_rule_fix_applicability.py checks it against
    # the fixes the rule emits on its fixtures and documented examples
    fix: ClassVar[str] = "no"
    pack: ClassVar[str] = ""  # set by the loader

    def check(self, ctx: Context) -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def finding(self, message: str, span: Span | None, *, identity: str, fix: Fix | None = None,
                host: str | None = None, severity: str | None = None) -> Finding:
        return Finding(code=self.code, severity=severity or self.severity, message=message, span=span,
                       fix=fix, identity=identity, host=host, rule_name=self.name)

    # -- documentation -----------------------------------------------------
    @classmethod
    def doc(cls) -> str:
        import inspect
        import sys

        module = sys.modules.get(cls.__module__)
        text = (module.__doc__ if module and module.__doc__ else cls.__doc__) or ""
        return inspect.cleandoc(text)

    @classmethod
    def summary(cls) -> str:
        """One whole sentence: the docstring's first line ("Port clash: two
        resources on one host use the same address and port."), else the
        first paragraph of *What it checks*."""
        sections = doc_sections(cls.doc())
        title = " ".join(sections.get("_title", "").split())
        if title:
            return title
        first = sections.get("What it checks", "").strip().split("\n\n")[0]
        return " ".join(first.split())

    @classmethod
    def examples(cls) -> dict[str, list["ExampleFile"]]:
        """{'bad': [...], 'good': [...]} from the docstring's fenced blocks."""
        sections = doc_sections(cls.doc())
        return {"bad": _fenced(sections.get("Example", "")), "good": _fenced(sections.get("Use instead", ""))}


DOC_SECTIONS = ("What it checks", "Why it matters", "Example", "Use instead", "Fix safety", "Source")


def doc_sections(doc: str) -> dict[str, str]:
    """Split a rule docstring into its `## Section` parts."""
    out: dict[str, str] = {}
    current = "_title"
    buf: list[str] = []
    for line in doc.splitlines():
        m = re.match(r"^##\s+(.*?)\s*$", line)
        if m:
            out[current] = "\n".join(buf).strip("\n")
            current, buf = m.group(1), []
        else:
            buf.append(line)
    out[current] = "\n".join(buf).strip("\n")
    return out


@dataclass
class ExampleFile:
    path: str  # "etc/drbd.d/r0.res", "@cluster.crm", "san-2:etc/..."
    lang: str
    text: str


_FENCE = re.compile(r"^```(\w[\w-]*)?((?:[ \t]+\w+=\S+)*)[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)


def _fenced(section: str) -> list[ExampleFile]:
    out = []
    for m in _FENCE.finditer(section):
        attrs = dict(a.split("=", 1) for a in m.group(2).split())
        if "path" in attrs:
            out.append(ExampleFile(attrs["path"], m.group(1) or "", m.group(3)))
    return out


def iter_rule_classes(module: Any) -> Iterator[type[Rule]]:
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, Rule) and value is not Rule and value.code \
                and value.__module__ == module.__name__:
            yield value
