"""Helpers of the iSCSI pack: one view of every target of a site, whatever
front end defines it.

A target is either a host target (ietd.conf, tgt targets.conf, LIO
saveconfig.json: `IscsiTarget` on a host) or a cluster target (an
`ocf:heartbeat:iSCSITarget` primitive; its LUNs are the
`ocf:heartbeat:iSCSILogicalUnit` primitives of the same cluster
configuration whose `target_iqn` names it).  Rules iterate
`all_targets(site)` and report on the object's own span: a host target per
host, a cluster target once per cluster file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sanlint.model import Host, Site
    from sanlint.model.cluster import ClusterConfig, Primitive
    from sanlint.model.iscsi import IscsiLun, IscsiTarget
    from sanlint.source import Span

from sanlint.transform.iscsi import (  # noqa: F401,E402  (the pack's rules read them as C.NAME)
    IMPL_OF_STACK, IMPLEMENTATIONS, LU_AGENT, STACK_OF_IMPL, TARGET_AGENT, TGT_WCE_OFF,
)


@dataclass
class Lun:
    number: int | None
    path: str | None
    span: "Span"
    io_type: str | None = None
    lun: "IscsiLun | None" = None  # host LUN
    write_back: bool | None = None  # writes acknowledged from the page cache (see transform.iscsi.WRITE_BACK_LOSS)
    primitive: "Primitive | None" = None  # cluster iSCSILogicalUnit

    @property
    def label(self) -> str:
        if self.primitive is not None:
            return f"LUN {self.number if self.number is not None else '?'} (resource {self.primitive.id})"
        return f"LUN {self.number if self.number is not None else '?'}"


@dataclass
class Target:
    name: str
    stack: str  # ietd | tgt | lio | cluster
    span: "Span"
    host: "Host | None" = None
    target: "IscsiTarget | None" = None
    primitive: "Primitive | None" = None
    cluster: "ClusterConfig | None" = None
    implementation: str | None = None  # cluster targets: the `implementation` param
    luns: list[Lun] = field(default_factory=list)

    @property
    def where(self) -> str:
        if self.primitive is not None:
            return f"cluster resource {self.primitive.id}"
        return f"host {self.host.name if self.host else '?'}, {self.stack}"

    @property
    def label(self) -> str:
        return f"target {self.name} ({self.where})"

    @property
    def identity(self) -> str:
        if self.primitive is not None:
            return f"iscsi cluster {self.primitive.id}"
        return f"iscsi {self.host.name if self.host else '-'} {self.stack} {self.name}"


def param(p: "Primitive", name: str) -> str | None:
    v = p.params_dict().get(name)
    return v if v not in (None, "") else None


def cluster_primitives(site: "Site", agent_name: str) -> list[tuple["ClusterConfig", "Primitive"]]:
    out = []
    for c in site.all_clusters():
        for p in c.primitives():
            if c.agent_of(p) == agent_name:
                out.append((c, p))
    return out


def host_targets(site: "Site") -> list[Target]:
    out = []
    for host in site.hosts.values():
        for t in host.targets:
            view = Target(t.name, t.stack, t.span, host=host, target=t)
            view.luns = [Lun(lun.number, lun.path, lun.span, lun.io_type, lun=lun, write_back=lun.write_cache)
                         for lun in t.luns]
            out.append(view)
    return out


def cluster_targets(site: "Site") -> list[Target]:
    out = []
    for c in site.all_clusters():
        lus: dict[str, list["Primitive"]] = {}
        prims = sorted(c.primitives(), key=lambda p: p.id)  # by id: which duplicate wins must not depend on order
        for p in prims:
            if c.agent_of(p) == LU_AGENT and param(p, "target_iqn"):
                lus.setdefault(param(p, "target_iqn").lower(), []).append(p)
        for p in prims:
            if c.agent_of(p) != TARGET_AGENT:
                continue
            iqn = param(p, "iqn") or ""
            view = Target(iqn, "cluster", p.span, primitive=p, cluster=c, implementation=param(p, "implementation"))
            for lu in lus.pop(iqn.lower(), []):  # a second target of the same name gets none (ISCSI103)
                view.luns.append(Lun(_int(param(lu, "lun")), param(lu, "path"), lu.span, lu_io_type(lu, view),
                                     primitive=lu, write_back=lu_write_back(lu, view)))
            out.append(view)
    return out


def all_targets(site: "Site") -> list[Target]:
    cache = site.__dict__.setdefault("_views", {})
    if "_iscsi_all_targets" not in cache:
        cache["_iscsi_all_targets"] = host_targets(site) + cluster_targets(site)
    return cache["_iscsi_all_targets"]


def _int(v: str | None) -> int | None:
    try:
        return int(v) if v is not None else None
    except ValueError:
        return None


def lu_implementation(lu: "Primitive", target: Target | None = None) -> str | None:
    return param(lu, "implementation") or (target.implementation if target else None)


def lu_io_type(lu: "Primitive", target: Target | None = None) -> str | None:
    """What the agent creates for a block device path: iet picks blockio for
    block devices, lio uses iblock, lio-t a block backstore unless
    `liot_bstype=fileio`, tgt uses `--bstype` (rdwr, through the page cache,
    by default) unless `tgt_bstype=aio` or `tgt_bsoflags` has `direct`."""
    impl = lu_implementation(lu, target)
    if impl == "tgt":
        bstype = param(lu, "tgt_bstype") or "rdwr"
        if bstype == "aio" or "direct" in (param(lu, "tgt_bsoflags") or "").split(","):
            return "blockio"
        return "fileio" if bstype in ("rdwr", "mmap") else None
    if impl == "lio-t":
        return "fileio" if param(lu, "liot_bstype") == "fileio" else "blockio"
    if impl in ("iet", "lio"):
        return "blockio"
    return None


def lu_write_back(lu: "Primitive", target: Target | None = None) -> bool | None:
    """Whether the agent's page-cache LUN is write-back: tgt's write cache is on
    unless `additional_parameters` sends the WCE-off mode page (as tgt-admin's
    `write-cache off` does); lio-t's `targetcli /backstores/fileio create`
    takes targetcli's default write_back=true.  None for block I/O."""
    if lu_io_type(lu, target) != "fileio":
        return None
    if lu_implementation(lu, target) == "tgt":
        return TGT_WCE_OFF not in (param(lu, "additional_parameters") or "").split()
    return True


def host_impls(site: "Site") -> dict[str, set[str]]:
    """host name -> the target stacks its configuration files define (ietd, tgt, lio)."""
    out: dict[str, set[str]] = {}
    for name, h in site.hosts.items():
        stacks = {cfg.stack for cfg in h.iscsi}
        if stacks:
            out[name] = stacks
    return out


def site_stack(site: "Site") -> str | None:
    """The one target stack every host with target files uses, or None."""
    stacks = set().union(*host_impls(site).values()) if host_impls(site) else set()
    return next(iter(stacks)) if len(stacks) == 1 else None


# -- names ---------------------------------------------------------------------

_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_IQN = re.compile(rf"iqn\.(\d{{4}})-(0[1-9]|1[0-2])\.{_LABEL}(?:\.{_LABEL})*(?::[a-z0-9.:-]+)?")
_EUI = re.compile(r"eui\.[0-9a-f]{16}")
_NAA = re.compile(r"naa\.(?:[0-9a-f]{16}|[0-9a-f]{32})")


def name_problem(name: str) -> str | None:
    """Why `name` is not a valid iSCSI name (RFC 3720 3.2.6, RFC 3722), or None.

    Names are compared case-insensitively (stringprep folds them to lower
    case); the characters allowed are letters, digits, `-`, `.` and `:`."""
    n = name.lower()
    if len(name.encode()) > 223:
        return "is longer than 223 bytes"
    if n.startswith("iqn."):
        if _IQN.fullmatch(n):
            return None
        if not re.match(r"iqn\.\d{4}-(0[1-9]|1[0-2])\.", n):
            return "does not have the iqn.YYYY-MM. date of the naming authority"
        if re.search(r"[^a-z0-9.:-]", n):
            bad = sorted(set(re.findall(r"[^a-z0-9.:-]", n)))
            return f"contains {', '.join(repr(c) for c in bad)} (only letters, digits, '-', '.' and ':' are allowed)"
        return "does not have a reversed domain name after the date"
    if n.startswith("eui."):
        return None if _EUI.fullmatch(n) else "is not eui. followed by 16 hex digits"
    if n.startswith("naa."):
        return None if _NAA.fullmatch(n) else "is not naa. followed by 16 or 32 hex digits"
    return "does not start with iqn., eui. or naa."


# -- storage paths ---------------------------------------------------------------





def volume_group(site: "Site", host: "Host | None", vg: str):
    """The VG metadata backup for `vg`: the host's own, else another host's."""
    if host is not None:
        found = host.volume_group(vg)
        if found is not None:
            return found
    for h in site.hosts.values():
        found = h.volume_group(vg)
        if found is not None:
            return found
    return None


def replicated(site: "Site") -> bool:
    return any(h.drbd_resources for h in site.hosts.values())


def failover(site: "Site") -> bool:
    return replicated(site) or bool(site.all_clusters())


def value_span(p: "Primitive", name: str):
    nv = p.param(name)
    if nv is None:
        return None
    return nv.value_span or nv.span
