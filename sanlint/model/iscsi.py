"""iSCSI target model, shared by ietd, tgt, LIO and the cluster's
iSCSITarget/iSCSILogicalUnit resources."""

from __future__ import annotations

from dataclasses import dataclass, field

from sanlint.model.base import Located, Setting
from sanlint.source import Span


@dataclass(eq=False)
class IscsiLun(Located):
    number: int | None
    path: str | None
    io_type: str | None = None  # "fileio" | "blockio" (ietd Type=, LIO plugin, tgt bs-type rdwr -> fileio)
    write_cache: bool | None = None
    params: dict[str, str] = field(default_factory=dict)
    io_type_span: Span | None = field(default=None, repr=False, kw_only=True)
    number_span: Span | None = field(default=None, repr=False, kw_only=True)


@dataclass(eq=False)
class ChapUser(Located):
    direction: str  # "incoming" | "outgoing"
    user: str
    password: str | None = None  # never printed: redacted in every output


@dataclass(eq=False)
class InitiatorAcl(Located):
    """An initiator allowed to log in: an address/network or an initiator name."""

    kind: str  # "address" | "name" | "all"
    value: str


@dataclass(eq=False)
class IscsiTarget(Located):
    name: str  # the IQN
    stack: str  # "ietd" | "tgt" | "lio" | "cluster"
    luns: list[IscsiLun] = field(default_factory=list)
    acls: list[InitiatorAcl] = field(default_factory=list)
    acl_configured: bool = False  # True when the stack has an ACL mechanism in use (even if empty)
    open_to_all: bool = False  # LIO generate_node_acls=1, ietd "ALL"
    chap: list[ChapUser] = field(default_factory=list)
    params: list[Setting] = field(default_factory=list)
    portals: list[str] = field(default_factory=list)
    alias: str | None = None
    tid: int | None = None
    body_span: Span | None = field(default=None, repr=False, kw_only=True)
    # ietd `Lun` lines IET refuses (a blank inside the options): the target comes up without them (ISCSI114)
    refused_luns: list[IscsiLun] = field(default_factory=list, repr=False, kw_only=True,
                                         metadata={"skip_json": True})


@dataclass(eq=False)
class AllowRule(Located):
    """A line of ietd's initiators.allow / targets.allow: `TARGET|ALL ADDR, ...`."""

    target: str  # IQN or "ALL"
    entries: list[str] = field(default_factory=list)  # addresses, networks, initiator names, "ALL"
    file_kind: str = "initiators"  # "initiators" | "targets"


@dataclass(eq=False)
class IscsiConfig(Located):
    """One parsed iSCSI target file (ietd.conf, targets.conf, saveconfig.json, *.allow)."""

    stack: str
    targets: list[IscsiTarget] = field(default_factory=list)
    global_params: list[Setting] = field(default_factory=list)
    allow_rules: list[AllowRule] = field(default_factory=list)
    includes: list[Setting] = field(default_factory=list)  # tgt `include` lines
    backstores: dict[str, IscsiLun] = field(default_factory=dict)  # LIO storage objects by plugin/name
