"""corosync.conf model (1.x openais/aisexec and 2.x/3.x nodelist/knet)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sanlint.model.base import Located, Setting
from sanlint.source import Span


@dataclass(eq=False)
class CorosyncSection(Located):
    """A `name { ... }` block; sections nest (totem { interface { } })."""

    name: str
    settings: list[Setting] = field(default_factory=list)
    sections: list["CorosyncSection"] = field(default_factory=list)
    body_span: Span | None = field(default=None, repr=False, kw_only=True)

    def get(self, name: str) -> Setting | None:
        for s in self.settings:
            if s.name == name:
                return s
        return None

    def value(self, name: str) -> str | None:
        s = self.get(name)
        return s.value if s else None

    def children(self, name: str) -> list["CorosyncSection"]:
        return [s for s in self.sections if s.name == name]


@dataclass(eq=False)
class CorosyncNode(Located):
    name: str | None
    nodeid: str | None
    ring_addrs: dict[int, str] = field(default_factory=dict)  # ring0_addr -> {0: addr}


@dataclass(eq=False)
class CorosyncInterface(Located):
    """totem.interface (1.x/2.x ring) or knet link: ringnumber/linknumber, bindnetaddr."""

    number: int
    bindnetaddr: str | None = None
    mcastaddr: str | None = None
    mcastport: str | None = None


@dataclass(eq=False)
class CorosyncConfig(Located):
    root: CorosyncSection
    nodes: list[CorosyncNode] = field(default_factory=list)
    interfaces: list[CorosyncInterface] = field(default_factory=list)
    version: str | None = None  # "1" (openais/aisexec), "2", "3" (knet)

    def section(self, name: str) -> CorosyncSection | None:
        for s in self.root.sections:
            if s.name == name:
                return s
        return None

    def value(self, path: str) -> str | None:
        """`totem.secauth`, `quorum.two_node`."""
        parts = path.split(".")
        sec: CorosyncSection | None = self.root
        for p in parts[:-1]:
            sec = next((s for s in sec.sections if s.name == p), None) if sec else None
        return sec.value(parts[-1]) if sec else None
