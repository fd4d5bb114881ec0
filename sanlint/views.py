"""Cross-file views of the site model that several rule packs need: one
helper per shared fact (like insights-core's combiners), each with its
doctest; a rule pack's `_common.py` keeps only what is private to it.

Each view is computed once per site (cached on the Site object) and is
linear in the size of the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, TypeVar

if TYPE_CHECKING:
    from sanlint.model import Host, Site
    from sanlint.model.corosync import CorosyncConfig, CorosyncNode
    from sanlint.model.cluster import ClusterConfig, ClusterResource, Primitive
    from sanlint.model.drbd import DrbdResource

T = TypeVar("T")


def cached(fn: Callable[["Site"], T]) -> Callable[["Site"], T]:
    key = f"_view_{fn.__name__}"

    def wrapper(site: "Site") -> T:
        cache = site.__dict__.setdefault("_views", {})
        if key not in cache:
            cache[key] = fn(site)
        return cache[key]

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


# -- names -------------------------------------------------------------------

@lru_cache(maxsize=65536)  # a site names each address many times; ipaddress objects are immutable
def ip(text: str | None):
    """The IP address in `text` (`10.0.0.1`, `fd00::1`, `[fd00::1]`, `fe80::1%eth0`), or None.

    >>> ip("[fd00::1]"), ip("fe80::1%eth0"), ip("san-1")
    (IPv6Address('fd00::1'), IPv6Address('fe80::1'), None)
    """
    import ipaddress

    if not text:
        return None
    try:
        return ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def is_address(text: str | None) -> bool:
    """`text` is an IP address rather than a host name.

    >>> is_address("10.0.0.1"), is_address("[fd00::1]"), is_address("san-1.example.com")
    (True, True, False)
    """
    return ip(text) is not None


_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)")


def is_host_name(text: str) -> bool:
    """`text` is spelled as a host name a resolver can look up (RFC 1123
    labels; `_` allowed, as /etc/hosts lookups take it; a last label of
    digits only is a malformed address such as `10.0.0.300`, not a name).

    >>> is_host_name("san-1.example.com"), is_host_name("10.0.0.300"), is_host_name("<NODE_IP>")
    (True, False, False)
    """
    name = text[:-1] if text.endswith(".") else text
    labels = name.split(".")
    if not name or len(name) > 253 or not all(_HOST_LABEL.fullmatch(p) for p in labels):
        return False
    return not labels[-1].isdigit()


def corosync_address_problem(text: str | None) -> str | None:
    """Why corosync cannot parse `text` as an address (ringN_addr,
    bindnetaddr, mcastaddr), or None.  corosync hands the value to
    getaddrinfo (totemip.c `totemip_parse`): an IP address or a host name it
    resolves when it starts; a comment after the value is part of the value
    (coroparse.c reads comments only on whole lines); brackets are not
    address syntax there.

    >>> corosync_address_problem("10.0.1.1"), corosync_address_problem("san-1")
    (None, None)
    >>> corosync_address_problem("10.0.1.1 # bond0")
    "a comment after the value: corosync reads '#' comments only on lines of their own, so the value is '10.0.1.1 # bond0'"
    """
    value = (text or "").strip()
    if not value:
        return "an empty value"
    if ip(value) is not None and not value.startswith("["):
        return None
    if "#" in value:
        return (f"a comment after the value: corosync reads '#' comments only on lines of their own, "
                f"so the value is '{value}'")
    if re.search(r"[<>{}]|\$\{|%[A-Z_]+%|\bCHOOSE\b|X+\.X+", value):
        return f"a placeholder never filled in ('{value}')"
    if value.startswith("[") and ip(value) is not None:
        return f"brackets: '{value}' is DRBD/URL syntax, corosync wants the bare address {value.strip('[]')}"
    if re.search(r"\s", value):
        return f"a blank inside the value '{value}'"
    if "/" in value and ip(value.split("/", 1)[0]) is not None:
        return f"a network ('{value}') where an address is needed"
    if re.fullmatch(r"[0-9.]+:\d+", value):
        return f"a port after the address ('{value}'): corosync takes ports from mcastport, never from the address"
    if is_host_name(value):
        return None
    if re.fullmatch(r"[0-9.]+|[0-9A-Fa-f:.]+", value):
        return f"'{value}' is no valid IPv4 or IPv6 address"
    return f"'{value}' is neither an IP address nor a host name"


def short(name: str) -> str:
    """The short host name, lower-cased.

    >>> short("SAN-1.example.com")
    'san-1'
    """
    return name.split(".", 1)[0].lower()


@lru_cache(maxsize=65536)  # asked for every resource and host section of a site
def same_host(a: str, b: str) -> bool:
    """DRBD 9's rule (`hostnames_equal`): case-insensitive; two FQDNs must be
    equal, otherwise the short names are compared.

    >>> same_host("SAN-1", "san-1.example.com"), same_host("san-1.a.com", "san-1.b.com")
    (True, False)
    """
    a, b = a.lower(), b.lower()
    if "." in a and "." in b:
        return a == b
    return short(a) == short(b)


def same_pacemaker_node(a: str, b: str) -> bool:
    """Pacemaker's rule: a node's name is the corosync nodelist `name` (else
    ring0_addr, else `uname -n`) as written, compared whole without case
    (membership.c `pcmk__str_eq(..., pcmk__str_casei)`): `san-1` and
    `san-1.example.com` are two nodes.

    >>> same_pacemaker_node("SAN-1", "san-1"), same_pacemaker_node("san-1", "san-1.example.com")
    (True, False)
    """
    return a.lower() == b.lower()


def corosync_is_local(nodelist_name: str, uname: str) -> bool:
    """corosync's rule for finding its own nodelist entry (totemconfig.c
    `find_local_node`): the name equals `uname -n`, or the two agree once
    their domains are cut off; case counts (`strncmp`).

    >>> corosync_is_local("san-1", "san-1.example.com"), corosync_is_local("san-1.a.com", "san-1")
    (True, True)
    >>> corosync_is_local("SAN-1", "san-1")
    False
    """
    return nodelist_name == uname or nodelist_name.split(".", 1)[0] == uname.split(".", 1)[0]


def same_drbd_host(a: str, b: str, version: str | None) -> bool:
    """drbdadm's rule for `on NAME` against a host name: DRBD 9
    `hostnames_equal` (`same_host`); 8.4 and 8.3 `name_in_names`, an exact
    `strcmp`.

    >>> same_drbd_host("san-1.example.com", "san-1", "9"), same_drbd_host("san-1.example.com", "san-1", "8.4")
    (True, False)
    """
    return same_host(a, b) if version == "9" else a == b


def drbd_host_is_node(on_name: str, node: str, version: str | None, named_by_nodelist: bool) -> bool:
    """Whether DRBD's `on NAME` can stand for cluster node `node`.  drbdadm
    matches NAME against `uname -n` (`same_drbd_host`); a Pacemaker node's
    name is `uname -n` itself, unless the corosync nodelist names the nodes
    (`named_by_nodelist`): then `uname -n` is any name corosync's
    `find_local_node` matches to the nodelist name (`corosync_is_local`:
    equal short names), the nodelist name being the Pacemaker name apart
    from case.

    >>> drbd_host_is_node("san-1", "san-1.example.com", "8.4", True)
    True
    >>> drbd_host_is_node("san-1", "san-1.example.com", "8.4", False)
    False
    """
    if version == "9":
        return same_host(on_name, node)
    if named_by_nodelist:
        return corosync_is_local(node.lower(), on_name.lower())
    return on_name == node


def host_for(site: "Site", node: str) -> "Host | None":
    """The site host that stands for cluster node / DRBD host name `node`."""
    if node in site.hosts and node:
        return site.hosts[node]
    for name, h in site.hosts.items():
        if name and same_host(name, node):
            return h
    return None


def named_hosts(site: "Site") -> list["Host"]:
    return [h for name, h in site.hosts.items() if name]


# -- cluster -----------------------------------------------------------------

def corosync_of(host: "Host") -> "CorosyncConfig | None":
    """The host's corosync.conf: the one file corosync reads (the first one
    found when several were given)."""
    return host.corosync[0] if host.corosync else None


def corosync_node_name(node: "CorosyncNode") -> str | None:
    """A nodelist entry's name as Pacemaker sees it: `name`, else ring0_addr
    when that is a host name rather than an address."""
    if node.name:
        return node.name
    r0 = node.ring_addrs.get(0)
    return r0 if r0 and not is_address(r0) else None


@cached
def nodes_named_by_nodelist(site: "Site") -> bool:
    """The corosync nodelist names the nodes (corosync 2+): Pacemaker's node
    names are then the nodelist's, not `uname -n`."""
    return any(corosync_node_name(n) for h in site.hosts.values() if (cfg := corosync_of(h)) for n in cfg.nodes)


@cached
def cluster_node_names(site: "Site") -> list[str]:
    """Node names the cluster uses: Pacemaker nodes, else the corosync
    nodelist of each host's corosync.conf (`corosync_of`)."""
    names: list[str] = []
    for c in site.all_clusters():
        for n in c.nodes:
            if n.uname not in names:
                names.append(n.uname)
    if names:
        return names
    for h in site.hosts.values():
        cfg = corosync_of(h)
        for n in cfg.nodes if cfg else []:
            name = corosync_node_name(n)
            if name and name not in names:
                names.append(name)
    return names


DRBD_AGENTS = ("ocf:linbit:drbd", "ocf:heartbeat:drbd")


@cached
def managed_drbd(site: "Site") -> dict[str, "Primitive"]:
    """DRBD resource name -> the Pacemaker primitive that manages it."""
    out: dict[str, "Primitive"] = {}
    for c in site.all_clusters():
        for p in c.primitives():
            if p.agent in DRBD_AGENTS:
                v = p.params_dict().get("drbd_resource")
                if v:
                    out.setdefault(v, p)
    return out


def container_of(cluster: "ClusterConfig", rsc_id: str) -> "ClusterResource | None":
    """The group/clone/master directly containing `rsc_id`."""
    r = cluster.resources.get(rsc_id)
    if r is None or r.parent is None:
        return None
    return cluster.resources.get(r.parent)


def top_level(cluster: "ClusterConfig", rsc_id: str) -> str:
    """The outermost resource containing `rsc_id` (itself if top-level)."""
    seen = set()
    cur = rsc_id
    while cur not in seen:
        seen.add(cur)
        r = cluster.resources.get(cur)
        if r is None or r.parent is None:
            return cur
        cur = r.parent
    return cur


def members(cluster: "ClusterConfig", rsc_id: str) -> list[str]:
    """`rsc_id` and every resource inside it (group children, clone child...)."""
    out, todo = [], [rsc_id]
    while todo:
        cur = todo.pop()
        if cur in out:
            continue
        out.append(cur)
        r = cluster.resources.get(cur)
        if r is None:
            continue
        todo.extend(getattr(r, "children", []) or [])
        child = getattr(r, "child", None)
        if child:
            todo.append(child)
    return out


def primitives_in(cluster: "ClusterConfig", rsc_id: str) -> list["Primitive"]:
    from sanlint.model.cluster import Primitive

    return [r for i in members(cluster, rsc_id) if isinstance(r := cluster.resources.get(i), Primitive)]


# -- DRBD --------------------------------------------------------------------

@dataclass
class DrbdOnHost:
    host: "Host"
    resource: "DrbdResource"


@cached
def drbd_by_name(site: "Site") -> dict[str, list[DrbdOnHost]]:
    out: dict[str, list[DrbdOnHost]] = {}
    for h in site.hosts.values():
        for r in h.drbd_resources:
            out.setdefault(r.name, []).append(DrbdOnHost(h, r))
    return out


def drbd_option(host: "Host", resource: "DrbdResource", section: str, name: str):
    """An option as drbdadm sees it: the resource's own setting, else the
    `common` section's (the first DRBD file defining it wins)."""
    opt = resource.option(section, name)
    if opt is not None:
        return opt
    for s in host.drbd_common_sections:
        if s.kind == section:
            o = s.get(name)
            if o is not None:
                return o
    return None


def drbd_protocol(host: "Host", resource: "DrbdResource"):
    """Protocol setting wherever it is written (resource level, net, common)."""
    if resource.protocol is not None:
        return resource.protocol
    opt = drbd_option(host, resource, "net", "protocol")
    if opt is not None:
        return opt
    return host.drbd_common_protocol


_DRBD_DEV = re.compile(r"^/dev/drbd(\d+)$")


def drbd_minor(device: str | None, minor: int | None = None) -> int | None:
    if minor is not None:
        return minor
    m = _DRBD_DEV.match(device or "")
    return int(m.group(1)) if m and len(m.group(1)) <= 18 else None  # no minor has more digits


@cached
def drbd_device_paths(site: "Site") -> set[str]:
    """Every path under which a DRBD device of the site appears."""
    paths: set[str] = set()
    for h in site.hosts.values():
        for r in h.drbd_resources:
            paths.add(f"/dev/drbd/by-res/{r.name}")
            paths.add(f"/dev/drbd/by-res/{r.name}/0")
            vols = list(r.volumes) + [v for dh in r.hosts for v in dh.volumes]
            for v in vols:
                if v.device:
                    paths.add(v.device)
                if v.number is not None:
                    paths.add(f"/dev/drbd/by-res/{r.name}/{v.number}")
                minor = drbd_minor(v.device, v.minor)
                if minor is not None:
                    paths.add(f"/dev/drbd{minor}")
    return paths


def is_drbd_device(path: str | None, site: "Site | None" = None) -> bool:
    if not path:
        return False
    if path.startswith("/dev/drbd"):
        return True
    return site is not None and path in drbd_device_paths(site)


@cached
def drbd_backing_disks(site: "Site") -> dict[str, set[str]]:
    """host name -> the backing disks its DRBD resources use on that host
    (resource-level volumes plus the host's own `on` section; a lone file
    with no host name counts every `on` section)."""
    out: dict[str, set[str]] = {}
    for name, h in site.hosts.items():
        disks = out.setdefault(name, set())
        for r in h.drbd_resources:
            own = [dh for dh in r.hosts if not name or any(same_host(n, name) for n in dh.names)]
            vols = list(r.volumes) + [v for dh in own for v in dh.volumes]
            for v in vols:
                if v.disk and v.disk != "none":
                    disks.add(v.disk)
    return out


# -- LVM ---------------------------------------------------------------------

@cached
def vgs_on_drbd(site: "Site") -> dict[str, str]:
    """VG name -> why sanlint knows it lives on DRBD (metadata backup, or a
    cluster LVM resource whose VG has no backup)."""
    out: dict[str, str] = {}
    for h in site.hosts.values():
        for vg in h.volume_groups:
            if any(is_drbd_device(pv.device, site) for pv in vg.pvs):
                out.setdefault(vg.name, f"{vg.span.path}: PV on {', '.join(pv.device or '?' for pv in vg.pvs)}")
    with_backup = {vg.name for h in site.hosts.values() for vg in h.volume_groups}
    for c in site.all_clusters():
        for p in c.primitives():
            vg = cluster_vg(p)
            # no metadata backup tells where this VG lives: in a cluster that
            # manages DRBD, a VG the cluster activates is taken to sit on it
            if vg and vg not in out and vg not in with_backup and managed_drbd(site):
                out[vg] = f"cluster resource {p.id} ({p.agent}) activates it"
    return out


LVM_AGENTS = ("ocf:heartbeat:LVM", "ocf:heartbeat:LVM-activate")


def cluster_vg(p: "Primitive") -> str | None:
    if p.agent == "ocf:heartbeat:LVM":
        return p.params_dict().get("volgrpname")
    if p.agent == "ocf:heartbeat:LVM-activate":
        return p.params_dict().get("vgname")
    return None


# -- storage paths -----------------------------------------------------------

_NOT_VG_DIRS = {"disk", "mapper", "drbd", "md", "block", "bus", "char", "cciss", "input", "net", "pts", "shm",
                "snd", "usb", "vfio", "dri", "hugepages", "mqueue", "zvol", "rbd", "nvme-fabrics", "fd", "cpu"}


def lv_of_path(path: str | None) -> tuple[str, str] | None:
    """`/dev/VG/LV` or `/dev/mapper/VG-LV` -> (VG, LV); None for anything else."""
    if not path:
        return None
    m = re.fullmatch(r"/dev/mapper/((?:[^-/]|--)+)-((?:[^-/]|--)+)", path)
    if m:
        return m.group(1).replace("--", "-"), m.group(2).replace("--", "-")
    m = re.fullmatch(r"/dev/([^/]+)/([^/]+)", path)
    if m and m.group(1) not in _NOT_VG_DIRS:
        return m.group(1), m.group(2)
    return None


def allow_matches(pattern: str, name: str) -> bool:
    """Whether an ietd initiators.allow/targets.allow target field (`ALL`,
    an IQN compared without case, or `/regex/`) covers target `name`."""
    if pattern == "ALL":
        return True
    if len(pattern) > 1 and pattern.startswith("/") and pattern.endswith("/"):
        try:
            return re.search(pattern[1:-1], name) is not None
        except re.error:
            return False
    return pattern.lower() == name.lower()
