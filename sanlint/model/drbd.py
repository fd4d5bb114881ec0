"""DRBD configuration model (drbd.conf, drbd.d/*.res; 8.3, 8.4 and 9 syntax)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sanlint.model.base import Located, Setting
from sanlint.source import Span


@dataclass(eq=False)
class DrbdSection(Located):
    """An option section: `disk { }`, `net { }`, `syncer { }`, `startup { }`,
    `options { }`, `handlers { }`, `proxy { }`.  `body_span` is the text
    between the braces (exclusive), for inserting options."""

    kind: str
    options: list[Setting] = field(default_factory=list)
    body_span: Span | None = field(default=None, repr=False, kw_only=True)

    def get(self, name: str) -> Setting | None:
        for opt in self.options:
            if opt.name == name:
                return opt
        return None


@dataclass(eq=False)
class DrbdAddress(Located):
    family: str  # ipv4 | ipv6 | ssocks | sdp | sci
    address: str
    port: int
    family_explicit: bool = False


@dataclass(eq=False)
class DrbdVolume(Located):
    number: int | None  # None = the implicit volume 0
    device: str | None = None
    minor: int | None = None
    disk: str | None = None
    meta_disk: str | None = None
    sections: list[DrbdSection] = field(default_factory=list)


@dataclass(eq=False)
class DrbdHost(Located):
    """An `on NAME [NAME...] { }` section (also `floating`, `stacked-on-top-of`)."""

    names: list[str]
    kind: str = "on"  # on | floating | stacked-on-top-of | _this_host
    address: DrbdAddress | None = None
    node_id: int | None = None
    node_id_span: Span | None = field(default=None, repr=False, kw_only=True)
    volumes: list[DrbdVolume] = field(default_factory=list)
    sections: list[DrbdSection] = field(default_factory=list)
    body_span: Span | None = field(default=None, repr=False, kw_only=True)

    @property
    def name(self) -> str:
        return self.names[0] if self.names else ""


@dataclass(eq=False)
class DrbdConnection(Located):
    """`connection { host A ...; host B ...; path { } net { } }` (DRBD 9)."""

    hosts: list[str] = field(default_factory=list)
    addresses: list[DrbdAddress] = field(default_factory=list)
    sections: list[DrbdSection] = field(default_factory=list)
    mesh: bool = False  # connection-mesh


@dataclass(eq=False)
class DrbdResource(Located):
    name: str
    sections: list[DrbdSection] = field(default_factory=list)
    hosts: list[DrbdHost] = field(default_factory=list)
    connections: list[DrbdConnection] = field(default_factory=list)
    volumes: list[DrbdVolume] = field(default_factory=list)  # resource-level volumes / implicit volume 0
    protocol: Setting | None = None  # resource-level `protocol C;` (8.x placement)
    body_span: Span | None = field(default=None, repr=False, kw_only=True)

    def section(self, kind: str) -> DrbdSection | None:
        for s in self.sections:
            if s.kind == kind:
                return s
        return None

    def sections_of(self, kind: str) -> list[DrbdSection]:
        return [s for s in self.sections if s.kind == kind]

    def option(self, kind: str, name: str) -> Setting | None:
        for s in self.sections_of(kind):
            opt = s.get(name)
            if opt is not None:
                return opt
        return None

    def host(self, name: str) -> DrbdHost | None:
        for h in self.hosts:
            if name in h.names:
                return h
        return None


@dataclass(eq=False)
class DrbdInclude(Located):
    pattern: str
    pattern_span: Span | None = field(default=None, repr=False, kw_only=True)


@dataclass(eq=False)
class DrbdConfig(Located):
    """One parsed DRBD file: its global/common sections, resources, includes."""

    global_options: list[Setting] = field(default_factory=list)
    global_span: Span | None = field(default=None, repr=False, kw_only=True)
    common: list[DrbdSection] = field(default_factory=list)
    common_protocol: Setting | None = None
    resources: list[DrbdResource] = field(default_factory=list)
    includes: list[DrbdInclude] = field(default_factory=list)
    skipped: list[Span] = field(default_factory=list, repr=False)
    version_hint: str | None = None  # "8.3" | "8.4" | "9" when the syntax says so
