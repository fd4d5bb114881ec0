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
    # nested blocks: the `plugin { }` blocks of a proxy section, whose
    # statements are word lists (`lzma contexts 4 level 9;` -> name "lzma",
    # value "contexts 4 level 9")
    sections: list["DrbdSection"] = field(default_factory=list)

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
    meta_index: int | None = None  # `meta-disk /dev/x [N];`
    # the disk/device/meta-disk/flexible-meta-disk statements as written
    # (name = keyword, value = the words after it), for their spans
    statements: list[Setting] = field(default_factory=list)

    def statement(self, name: str) -> Setting | None:
        for st in self.statements:
            if st.name == name:
                return st
        return None


@dataclass(eq=False)
class DrbdProxy(Located):
    """`proxy on NAME... { inside A:P; outside A:P; options { } }` (DRBD Proxy),
    in a host section or after `via` in a connection."""

    on_hosts: list[str] = field(default_factory=list)
    inside: DrbdAddress | None = None
    outside: DrbdAddress | None = None
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
    alternate_address: DrbdAddress | None = None  # 8.4 `alternate-link-address`
    proxy: DrbdProxy | None = None
    lower_resource: str | None = None  # `stacked-on-top-of RES`: names stay empty

    @property
    def name(self) -> str:
        return self.names[0] if self.names else ""


@dataclass(eq=False)
class DrbdEndpoint(Located):
    """One end of a connection or path: `host NAME [address A:P | port P]
    [via proxy on ... { }];`, `address A:P;`, `_this_host A:P;`,
    `_remote_host A:P;`."""

    kind: str  # host | address | _this_host | _remote_host
    host: str | None = None
    address: DrbdAddress | None = None
    port: int | None = None  # `host NAME port P;`
    proxy: DrbdProxy | None = None


@dataclass(eq=False)
class DrbdPath(Located):
    endpoints: list[DrbdEndpoint] = field(default_factory=list)


@dataclass(eq=False)
class DrbdConnection(Located):
    """`connection { host A ...; host B ...; path { } net { } }` (DRBD 9), or
    a `connection-mesh { hosts A B C; net { } }` (mesh=True).

    `hosts` are the host names in order of first mention (endpoints, then
    paths; the `hosts` list of a mesh); `addresses` every address given in
    the connection, its own endpoints' and its paths'."""

    hosts: list[str] = field(default_factory=list)
    addresses: list[DrbdAddress] = field(default_factory=list)
    sections: list[DrbdSection] = field(default_factory=list)
    mesh: bool = False  # connection-mesh
    name: str | None = None  # `connection NAME { }` (deprecated, ignored by drbdadm 9)
    endpoints: list[DrbdEndpoint] = field(default_factory=list)
    paths: list[DrbdPath] = field(default_factory=list)
    volumes: list[DrbdVolume] = field(default_factory=list)  # `volume N { disk { } }` peer-device options
    peer_node_id: int | None = None  # `_peer_node_id N;` (drbdadm internal)
    body_span: Span | None = field(default=None, repr=False, kw_only=True)


@dataclass(eq=False)
class DrbdResource(Located):
    name: str
    sections: list[DrbdSection] = field(default_factory=list)
    hosts: list[DrbdHost] = field(default_factory=list)
    connections: list[DrbdConnection] = field(default_factory=list)
    volumes: list[DrbdVolume] = field(default_factory=list)  # resource-level volumes / implicit volume 0
    protocol: Setting | None = None  # resource-level `protocol C;` (8.x placement)
    body_span: Span | None = field(default=None, repr=False, kw_only=True)
    ignore_on: list[Setting] = field(default_factory=list)  # 8.x `ignore-on HOST;`
    template_file: Setting | None = None  # 9 `template-file "FILE";`

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

    def effective_volumes(self, host: DrbdHost) -> list[DrbdVolume]:
        """The volumes `host` ends up with: resource-level volumes (and the
        implicit one) with the host's own statements taking precedence, as
        drbdadm's postparse inherits them.  Objects are the parsed ones when
        only one level defines a volume, merged copies otherwise."""
        by_number: dict[int, DrbdVolume] = {v.number or 0: v for v in self.volumes}  # implicit = 0
        for hv in host.volumes:
            rv = by_number.get(hv.number or 0)
            if rv is None:
                by_number[hv.number or 0] = hv
                continue
            by_number[hv.number or 0] = DrbdVolume(
                number=hv.number, device=hv.device or rv.device,
                minor=hv.minor if hv.minor is not None else rv.minor,
                disk=hv.disk or rv.disk, meta_disk=hv.meta_disk or rv.meta_disk,
                meta_index=hv.meta_index if hv.meta_disk else rv.meta_index,
                sections=rv.sections + hv.sections, statements=rv.statements + hv.statements,
                span=hv.span)
        return list(by_number.values())


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
    version_hint_span: Span | None = field(default=None, repr=False, kw_only=True)  # what gave the hint
    # every `global { }` (drbdadm allows one; global_options joins them all)
    global_sections: list[DrbdSection] = field(default_factory=list)
    # every `common { }`, parsed as a resource named "common" (`common` and
    # `common_protocol` are their sections and protocol statement)
    commons: list[DrbdResource] = field(default_factory=list)
    module_versions: list[Setting] = field(default_factory=list)  # `require-drbd-module-version-ge 9.1.0;`
