"""Helpers private to the CORO and NET rules: the effective crypto settings
per corosync version, networks, /etc/hosts lookups, and which DRBD
addresses belong to which host.  Shared facts (corosync_of, node names,
addresses) are in `sanlint.views`."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from sanlint.views import corosync_node_name, ip, same_host

if TYPE_CHECKING:
    from sanlint.model import Host
    from sanlint.model.corosync import CorosyncConfig, CorosyncNode
    from sanlint.model.drbd import DrbdAddress, DrbdResource
    from sanlint.source import Span


# -- corosync ------------------------------------------------------------------

@dataclass
class Crypto:
    cipher: str  # effective value: "none" or an algorithm
    hash: str
    cipher_span: "Span"  # the statement that decided it (or the totem section / file)
    hash_span: "Span"
    defaulted: bool  # neither secauth nor crypto_* is written


def effective_crypto(cfg: "CorosyncConfig") -> Crypto:
    """What corosync actually runs with, per version.

    * 1.x (and openais): `secauth` defaults to on (totemconfig.c sets
      `secauth = 1`); only the exact value `off` turns it off.  1.x has no
      crypto_cipher/crypto_hash: secauth means HMAC/SHA1 + sober128/NSS.
    * 2.x: cipher aes256 / hash sha1 by default; `secauth: off` makes both
      none; explicit `crypto_cipher`/`crypto_hash` override either.
    * 3.x: both default to none; `secauth: on` implies aes256/sha256;
      explicit `crypto_cipher`/`crypto_hash` override either.
    """
    totem = cfg.section("totem")
    where = totem.span if totem is not None else cfg.span
    secauth = totem.get("secauth") if totem is not None else None
    sv = (secauth.value or "").strip() if secauth else None
    if cfg.version == "1":
        off = sv == "off"
        value = "none" if off else "on"
        span = secauth.span if secauth else where
        return Crypto(value, value, span, span, secauth is None)
    if cfg.version == "3":
        cipher = hash_ = "none"
        if sv == "on":
            cipher, hash_ = "aes256", "sha256"
    else:
        cipher, hash_ = "aes256", "sha1"
        if sv == "off":
            cipher = hash_ = "none"
    cspan = hspan = secauth.span if secauth else where
    c = totem.get("crypto_cipher") if totem is not None else None
    h = totem.get("crypto_hash") if totem is not None else None
    if c is not None and c.value:
        cipher, cspan = c.value.strip(), c.span
    if h is not None and h.value:
        hash_, hspan = h.value.strip(), h.span
    return Crypto(cipher, hash_, cspan, hspan, secauth is None and c is None and h is None)


def corosync_node_for(cfg: "CorosyncConfig", host_name: str) -> "CorosyncNode | None":
    for n in cfg.nodes:
        name = corosync_node_name(n)
        if name and same_host(name, host_name):
            return n
    return None


# -- addresses -----------------------------------------------------------------

def implied_network(text: str | None) -> "ipaddress.IPv4Network | ipaddress.IPv6Network | None":
    """The network an address stands for when no netmask is known: /24 for
    IPv4, /64 for IPv6 (corosync masks bindnetaddr with the interface's own
    netmask, which a configuration file does not tell)."""
    a = ip(text)
    if a is None:
        return None
    return ipaddress.ip_network(f"{a}/{24 if a.version == 4 else 64}", strict=False)


def resolve(host: "Host", name: str) -> list[str]:
    """Addresses of `name` in the host's /etc/hosts (case-insensitive, as
    glibc's files backend compares)."""
    low = name.lower()
    return [e.address for e in host.etc_hosts if any(n.lower() == low for n in e.names)]


def hosts_file(host: "Host"):
    for f in host.files:
        if f.format == "hosts":
            return f
    return None


# -- DRBD ----------------------------------------------------------------------

@dataclass
class Endpoint:
    node: str  # DRBD host name
    address: "DrbdAddress"


def drbd_endpoints(resource: "DrbdResource") -> list[Endpoint]:
    """Every (host name, address) the resource gives: `on` sections and
    DRBD 9 connection / path endpoints naming a host."""
    out: list[Endpoint] = []
    seen: set[tuple[str, str, int]] = set()

    def add(node: str, addr) -> None:
        key = (node.lower(), addr.address, addr.port)
        if key not in seen:
            seen.add(key)
            out.append(Endpoint(node, addr))

    for h in resource.hosts:
        if h.kind == "on" and h.address is not None:
            for n in h.names:
                add(n, h.address)
    for c in resource.connections:
        eps = list(c.endpoints) + [e for p in c.paths for e in p.endpoints]
        for e in eps:
            if e.kind == "host" and e.host and e.address is not None:
                add(e.host, e.address)
    return out


def own_and_peers(resource: "DrbdResource", host_name: str) -> tuple[list[Endpoint], list[Endpoint]]:
    eps = drbd_endpoints(resource)
    own = [e for e in eps if host_name and same_host(e.node, host_name)]
    peers = [e for e in eps if not (host_name and same_host(e.node, host_name))]
    return own, peers


def drbd_on_names(resource: "DrbdResource") -> Iterator[tuple[str, "Span"]]:
    for h in resource.hosts:
        if h.kind == "on":
            for n in h.names:
                yield n, h.span


class NameIndex:
    """Membership by `views.same_host` in O(1): case-insensitive, FQDN vs
    FQDN exact, otherwise the short names compared (DRBD 9's rule).  With
    `whole=True`, the name must be the same apart from case: Pacemaker's
    rule (`views.same_pacemaker_node`), DRBD 8.x's when `case=True` too
    (`views.same_drbd_host`)."""

    def __init__(self, names, whole: bool = False, case: bool = False) -> None:
        self.whole, self.case = whole, case
        self.written: set[str] = set()
        self.exact: set[str] = set()
        self.plain_short: set[str] = set()
        self.any_short: set[str] = set()
        for n in names:
            self.add(n)

    def add(self, name: str) -> None:
        self.written.add(name)
        low = name.lower()
        s = low.split(".", 1)[0]
        self.exact.add(low)
        self.any_short.add(s)
        if "." not in low:
            self.plain_short.add(s)

    def __contains__(self, name: str) -> bool:
        if self.case:
            return name in self.written
        low = name.lower()
        if low in self.exact:
            return True
        if self.whole:
            return False
        s = low.split(".", 1)[0]
        return s in (self.plain_short if "." in low else self.any_short)

    def __bool__(self) -> bool:
        return bool(self.exact)


# -- totem timing ----------------------------------------------------------------

# corosync exec/totemconfig.c: defaults, and the minimum every timeout must reach
# (MINIMUM_TIMEOUT = 3 * (1000/HZ) with HZ 100; MINIMUM_TIMEOUT_HOLD = 0.8 * that - 10).
TOTEM_DEFAULTS = {"token": 3000, "token_retransmits_before_loss_const": 4, "token_coefficient": 650,
                  "join": 50, "merge": 200, "downcheck": 1000, "max_network_delay": 50, "token_warning": 75}
MINIMUM_TIMEOUT = 30
MINIMUM_TIMEOUT_HOLD = 14


@dataclass
class TotemTiming:
    """The totem timeouts corosync runs with (ms), as `totem_volatile_config_read` computes them."""

    values: dict[str, int]  # effective: token (with token_coefficient), consensus, token_retransmit, hold, ...
    written: dict[str, "object"]  # name -> the Setting written in totem { } (only integers)
    bad: list["object"]  # settings whose value is not an unsigned integer (corosync's parser refuses them)
    nodes: int


def totem_timing(cfg: "CorosyncConfig") -> TotemTiming:
    totem = cfg.section("totem")
    written: dict[str, object] = {}
    bad: list[object] = []
    names = set(TOTEM_DEFAULTS) | {"consensus", "token_retransmit", "hold"}
    for s in totem.settings if totem is not None else []:
        if s.name in names:
            v = (s.value or "").strip()
            if v.isdigit():
                written[s.name] = s
            else:
                bad.append(s)

    def w(name: str) -> int | None:
        s = written.get(name)
        return int(s.value.strip()) if s is not None else None

    vals = {k: (w(k) if w(k) is not None else d) for k, d in TOTEM_DEFAULTS.items()}
    nodes = len(cfg.nodes)
    if nodes > 2 and cfg.version != "1":
        vals["token"] += (nodes - 2) * vals["token_coefficient"]
    rbl = vals["token_retransmits_before_loss_const"]
    vals["token_retransmit"] = w("token_retransmit") if w("token_retransmit") is not None else int(vals["token"] / (rbl + 0.2))
    vals["hold"] = w("hold") if w("hold") is not None else int(vals["token_retransmit"] * 0.8 - 10)
    vals["consensus"] = w("consensus") if w("consensus") is not None else int(1.2 * vals["token"])
    return TotemTiming(vals, written, bad, nodes)


def corosync_major(site: "Site", cfg: "CorosyncConfig", settings: dict | None = None) -> tuple[str | None, str]:
    """The corosync release line a file runs under, and why sanlint thinks so:
    the `corosync-version` setting, the file's own syntax (knet settings mean
    3; aisexec/amf/the Pacemaker plugin mean 1), else what the site shows
    (`sanlint.site.infer_corosync`: packages collected from a host, another
    host's corosync.conf in knet syntax).  A file with neither nodelist nor
    quorum section looks like 1.x but is read by every version: it decides
    only when nothing else does.  None when nothing tells 2 from 3."""
    from sanlint.parsers.corosync import legacy_layout
    from sanlint.site import infer_corosync

    configured = (settings or {}).get("corosync-version")
    if configured:
        return str(configured).split(".")[0], "set by corosync-version in the configuration"
    if cfg.version == "3":
        return "3", f"{cfg.span.path} uses knet syntax (only corosync 3 has knet)"
    if legacy_layout(cfg.root):
        return "1", "inferred from the file's syntax (aisexec/amf/the Pacemaker plugin: corosync 1.x)"
    major, why = infer_corosync(site, settings, skip=cfg)
    if major is None and cfg.version == "1":
        return "1", "inferred from the file's syntax (no nodelist and no quorum section: the corosync 1.x layout)"
    return major, why
