"""The site's topology for the audit report: hosts with their DRBD
resources (devices, addresses, peers), the volume groups on DRBD, the iSCSI
targets and their LUNs, and the cluster's resources and constraints.

`topology(site)` extracts it as plain data (used by the HTML and the
Markdown report alike); `svg(topo)` draws it as one inline SVG diagram
(no scripts, no external resources).  Every string that came from the site
goes through the report's `Scrubber` before it is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Callable

from sanlint.report.natsort import natural_key, natural_sorted
from sanlint.views import allow_matches, lv_of_path

# -- data ----------------------------------------------------------------------


@dataclass
class Peer:
    host: str
    address: str | None


@dataclass
class DrbdBox:
    name: str
    devices: list[str] = field(default_factory=list)
    disks: list[str] = field(default_factory=list)
    address: str | None = None
    peers: list[Peer] = field(default_factory=list)
    span: object = None


@dataclass
class VgBox:
    name: str
    pvs: list[str] = field(default_factory=list)
    lvs: list[str] = field(default_factory=list)
    on_drbd: list[str] = field(default_factory=list)  # names of the DRBD resources under it
    span: object = None


@dataclass
class TargetBox:
    iqn: str
    stack: str
    luns: list[tuple[str, str]] = field(default_factory=list)  # (number, path)
    vgs: list[str] = field(default_factory=list)  # VGs its LUNs live in
    span: object = None
    initiators: list[str] = field(default_factory=list)  # who may log in; ["ALL"] when anyone may


@dataclass
class HostBox:
    name: str
    drbd: list[DrbdBox] = field(default_factory=list)
    vgs: list[VgBox] = field(default_factory=list)
    targets: list[TargetBox] = field(default_factory=list)
    files: int = 0
    rings: list[tuple[str, str]] = field(default_factory=list)  # (corosync ring/link, address or network)


@dataclass
class ResourceBox:
    id: str
    kind: str  # primitive | group | clone | ms | ...
    agent: str | None = None
    members: list[tuple[str, str]] = field(default_factory=list)  # (id, agent or kind)
    span: object = None
    member_spans: list = field(default_factory=list)  # where the members are defined
    placement: list["Placement"] = field(default_factory=list)  # the nodes it runs on or prefers
    placement_note: str = ""  # how the cluster places it when no node is named
    service_ips: list[str] = field(default_factory=list)  # IPaddr2 addresses inside it ("10.0.0.5/24")
    initiators: list[str] = field(default_factory=list)  # iSCSITarget allowed_initiators inside it
    drbd: list[str] = field(default_factory=list)  # DRBD resources it manages (ocf:linbit:drbd)


@dataclass
class Placement:
    node: str
    relation: str  # "runs on" (clone instance) | "prefers" | "avoids" | "promoted on one of"
    detail: str = ""  # the score and the constraint id


@dataclass
class Network:
    """One network and what uses it (IPv4 /24 and IPv6 /64 around an address,
    as NET101 takes them, unless the configuration gives a prefix)."""

    cidr: str
    uses: list[str] = field(default_factory=list)


@dataclass
class ConstraintEdge:
    id: str
    kind: str  # order | colocation | location | ticket
    text: str  # one-line description
    ends: list[str] = field(default_factory=list)  # top-level resource ids, in order
    span: object = None


@dataclass
class ClusterBox:
    source: str  # file path
    nodes: list[str] = field(default_factory=list)
    name: str | None = None
    resources: list[ResourceBox] = field(default_factory=list)
    constraints: list[ConstraintEdge] = field(default_factory=list)


@dataclass
class Topology:
    hosts: list[HostBox] = field(default_factory=list)
    clusters: list[ClusterBox] = field(default_factory=list)
    networks: list[Network] = field(default_factory=list)


def _addr(a) -> str | None:
    if a is None:
        return None
    host = f"[{a.address}]" if a.family == "ipv6" or ":" in (a.address or "") else a.address
    return f"{host}:{a.port}"




def topology(site, scrub: Callable[[str], str] | None = None) -> Topology:
    from sanlint.model.cluster import Clone, Colocation, Group, Location, Order, Primitive, Ticket
    from sanlint.views import drbd_minor, same_host, top_level

    s = scrub or (lambda x: x)
    topo = Topology()
    nets = _Networks()
    for name, h in sorted(site.hosts.items(), key=lambda kv: natural_key(kv[0] or "")):
        box = HostBox(name=s(name) if name else "(single host)", files=len(h.files))
        drbd_devices: dict[str, str] = {}  # device path -> resource
        for r in h.drbd_resources:
            own = None
            for dh in r.hosts:
                if dh.kind == "on" and name and any(same_host(n, name) for n in dh.names):
                    own = dh
            d = DrbdBox(name=s(r.name), span=r.span)
            vols = r.effective_volumes(own) if own is not None else list(r.volumes)
            if own is None and not vols and r.hosts:
                vols = r.effective_volumes(r.hosts[0])
            for v in vols:
                dev = v.device or (f"/dev/drbd{v.minor}" if v.minor is not None else None)
                if dev:
                    d.devices.append(s(dev))
                    drbd_devices[dev] = r.name
                    minor = drbd_minor(v.device, v.minor)
                    if minor is not None:
                        drbd_devices[f"/dev/drbd{minor}"] = r.name
                if v.disk:
                    d.disks.append(s(v.disk))
            drbd_devices[f"/dev/drbd/by-res/{r.name}"] = r.name
            drbd_devices[f"/dev/drbd/by-res/{r.name}/0"] = r.name
            if own is not None:
                d.address = s(_addr(own.address) or "") or None
            for dh in r.hosts:
                if dh is own or dh.kind == "stacked-on-top-of":
                    continue
                label = dh.name or dh.kind
                d.peers.append(Peer(s(label), s(_addr(dh.address) or "") or None))
            for c in r.connections:
                for hn in c.hosts:
                    if name and same_host(hn, name):
                        continue
                    if not any(same_host(p.host, hn) for p in d.peers if p.host):
                        d.peers.append(Peer(s(hn), None))
            box.drbd.append(d)
        seen_vg: set[str] = set()
        for vg in reversed(h.volume_groups):  # the backup (current) wins over archives
            if vg.name in seen_vg:
                continue
            seen_vg.add(vg.name)
            v = VgBox(name=s(vg.name), span=vg.span)
            for pv in vg.pvs:
                v.pvs.append(s(pv.device or pv.name))
                if pv.device and pv.device in drbd_devices:
                    res = drbd_devices[pv.device]
                    if res not in v.on_drbd:
                        v.on_drbd.append(s(res))
            v.lvs = [s(lv.name) for lv in vg.lvs]
            box.vgs.append(v)
        box.vgs.sort(key=lambda v: natural_key(v.name))
        for v in box.vgs:
            v.lvs.sort(key=natural_key)
        for t in sorted(h.targets, key=lambda t: natural_key(t.name)):
            tb = TargetBox(iqn=s(t.name), stack=t.stack, span=t.span, initiators=[s(x) for x in _initiators(t, h)])
            for lun in t.luns:
                tb.luns.append((str(lun.number) if lun.number is not None else "?", s(lun.path or "?")))
                lv = lv_of_path(lun.path)
                if lv and lv[0] not in tb.vgs:
                    tb.vgs.append(s(lv[0]))
            box.targets.append(tb)
        box.drbd.sort(key=lambda d: natural_key(d.name))
        box.rings = _rings(h, name, s)
        for ring, addr in box.rings:
            nets.add(addr, f"corosync {ring} ({box.name})")
        for d in box.drbd:
            if d.address:
                nets.add(d.address, f"DRBD {d.name} replication ({box.name})")
        topo.hosts.append(box)

    for c in site.all_clusters():
        prop = c.property("cluster-name")
        cb = ClusterBox(source=s(c.span.path), nodes=[s(n.uname) for n in c.nodes],
                        name=s(prop.value) if prop is not None and prop.value else None)
        for rid, r in c.resources.items():
            if r.parent is not None or r.element == "template":
                continue
            kind = "ms" if r.element == "master" else r.element
            rb = ResourceBox(id=s(rid), kind=kind, span=r.span)
            if isinstance(r, Primitive):
                rb.agent = s(c.agent_of(r))
            elif isinstance(r, Group):
                for child in r.children:
                    cr = c.resources.get(child)
                    rb.members.append((s(child), s(c.agent_of(cr)) if isinstance(cr, Primitive) else
                                       (cr.element if cr else "undefined")))
            elif isinstance(r, Clone):
                if r.promotable:
                    kind = rb.kind = "promotable clone" if r.element != "master" else "ms"
                cr = c.resources.get(r.child or "")
                if isinstance(cr, Primitive):
                    rb.members.append((s(cr.id), s(c.agent_of(cr))))
                elif isinstance(cr, Group):
                    rb.members.append((s(cr.id), "group"))
                    for child in cr.children:
                        gc = c.resources.get(child)
                        rb.members.append((s(child), s(c.agent_of(gc)) if isinstance(gc, Primitive) else "?"))
                elif r.child:
                    rb.members.append((s(r.child), "undefined"))
            from sanlint.views import members as members_of

            inside = [c.resources[m] for m in members_of(c, rid) if m in c.resources]
            rb.member_spans = [x.span for x in inside]
            _services(c, inside, rb, s)
            for ip in rb.service_ips:
                nets.add(ip, f"service IP {rb.id}")
            cb.resources.append(rb)
        cb.resources.sort(key=lambda r: natural_key(r.id))
        _placements(c, cb, s)
        for con in c.constraints:
            ends = []
            for ref in con.resources:
                t = top_level(c, ref.id)
                if t not in ends:
                    ends.append(s(t))
            refs = " ".join(s(ref.id) + (f":{ref.role}" if ref.role else "") + (f":{ref.action}" if ref.action else "")
                            for ref in con.resources)
            score = f"{s(con.score)}: " if con.score else ""
            if isinstance(con, Order):
                kind_word = f"{con.order_kind}: " if con.order_kind else score
                text = f"order {s(con.id)} {kind_word}{refs}"
            elif isinstance(con, Colocation):
                text = f"colocation {s(con.id)} {score}{refs}"
            elif isinstance(con, Location):
                where = s(con.node) if con.node else ("rule " + "; ".join(s(x) for x in con.rules) if con.rules else "")
                text = f"location {s(con.id)} {refs} {score}{where}".rstrip()
            elif isinstance(con, Ticket):
                text = f"ticket {s(con.id)} {s(con.ticket or '')} {refs}"
            else:
                text = f"{con.kind} {s(con.id)} {refs}"
            cb.constraints.append(ConstraintEdge(id=s(con.id), kind=con.kind, text=" ".join(text.split()),
                                                 ends=ends, span=con.span))
        topo.clusters.append(cb)
    topo.networks = nets.result()
    return topo


def _initiators(t, host) -> list[str]:
    """Who may log in to target `t` of `host`, as the stack decides."""
    if t.open_to_all:
        return ["ALL"]
    if t.acls:
        return [a.value if a.kind != "all" else "ALL" for a in t.acls]
    if t.stack == "ietd":
        out = []
        for cfg in host.iscsi:
            for r in cfg.allow_rules:
                if r.file_kind == "initiators" and allow_matches(r.target, t.name):
                    out += [e for e in r.entries if e not in out]
        return out or ["ALL (no initiators.allow line)"]
    return ["ALL"] if not t.acl_configured else []


def _rings(h, name, s) -> list[tuple[str, str]]:
    """The corosync rings/links of a host: its own nodelist addresses, else
    the totem interfaces' bindnetaddr."""
    from sanlint.views import same_host

    out: list[tuple[str, str]] = []
    for cfg in h.corosync:
        mine = [n for n in cfg.nodes if name and n.name and same_host(n.name, name)]
        for n in mine:
            for ring, addr in sorted(n.ring_addrs.items()):
                out.append((f"ring {ring}", s(addr)))
        if not mine:
            for i in cfg.interfaces:
                if i.bindnetaddr:
                    out.append((f"ring {i.number}", s(i.bindnetaddr)))
    seen: list[tuple[str, str]] = []
    for x in out:
        if x not in seen:
            seen.append(x)
    return seen


def _services(c, inside, rb, s) -> None:
    from sanlint.model.cluster import Primitive

    for r in inside:
        if not isinstance(r, Primitive):
            continue
        agent = c.agent_of(r)
        p = r.params_dict()
        if agent.endswith((":IPaddr2", ":IPaddr", ":IPv6addr")):
            ip = p.get("ip") or p.get("ipv6addr")
            if ip:
                mask = p.get("cidr_netmask")
                rb.service_ips.append(s(ip) + (f"/{s(mask)}" if mask and mask.isdigit() else ""))
        elif agent.endswith(":iSCSITarget"):
            allowed = p.get("allowed_initiators")
            rb.initiators += [s(x) for x in (allowed or "").split()] or ["ALL (no allowed_initiators)"]
        elif agent in ("ocf:linbit:drbd", "ocf:heartbeat:drbd"):
            if p.get("drbd_resource"):
                rb.drbd.append(s(p["drbd_resource"]))


def _placements(c, cb: "ClusterBox", s) -> None:
    """Tie every top-level resource to the nodes it runs on or prefers:
    location constraints with a node (prefers / avoids), clones on every node
    (promotable: promoted on one), colocations (placed with another)."""
    from sanlint.model.cluster import Clone, Colocation, Location
    from sanlint.views import top_level

    by_id = {r.id: r for r in cb.resources}
    for rid, r in c.resources.items():
        box = by_id.get(s(rid))
        if box is None:
            continue
        if isinstance(r, Clone):
            for n in cb.nodes:
                box.placement.append(Placement(n, "runs on", "clone instance"))
            if r.promotable:
                box.placement_note = "promoted on one node at a time"
    for con in c.constraints:
        if isinstance(con, Location) and con.node and con.resources:
            box = by_id.get(s(top_level(c, con.resources[0].id)))
            if box is None:
                continue
            score = (con.score or "").strip()
            negative = score.startswith("-")
            box.placement.append(Placement(s(con.node), "avoids" if negative else "prefers",
                                           f"{s(score) or '0'} ({s(con.id)})"))
        elif isinstance(con, Colocation) and con.rsc and con.with_rsc:
            box = by_id.get(s(top_level(c, con.rsc.id)))
            if box is not None:
                role = f" ({con.with_rsc.role} role)" if con.with_rsc.role else ""
                note = f"placed with {s(top_level(c, con.with_rsc.id))}{role}"
                box.placement_note = "; ".join(x for x in (box.placement_note, note) if x)
    for box in cb.resources:
        if not box.placement and not box.placement_note:
            box.placement_note = "any node (no location or colocation)"


class _Networks:
    def __init__(self) -> None:
        self.nets: dict[str, list[str]] = {}

    def add(self, address: str, use: str) -> None:
        import ipaddress

        host, _, prefix = address.partition("/")
        if host.startswith("[") and "]" in host:
            host = host[1:host.index("]")]
        elif host.count(":") == 1:
            host = host.split(":")[0]  # drop the port
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            key = f"{host} (name)"
        else:
            bits = int(prefix) if prefix.isdigit() else (24 if ip.version == 4 else 64)
            try:
                key = str(ipaddress.ip_network(f"{ip}/{bits}", strict=False))
            except ValueError:
                key = str(ip)
        uses = self.nets.setdefault(key, [])
        if use not in uses:
            uses.append(f"{use} {address}" if address not in use else use)

    def result(self) -> list["Network"]:
        return [Network(k, natural_sorted(v)) for k, v in natural_sorted(self.nets.items(), key=lambda kv: kv[0])]


# -- severity of the findings inside an object -----------------------------------

_RANK = {"info": 1, "warning": 2, "error": 3}


def worst_inside(span, findings) -> str | None:
    """The worst severity of the findings located inside `span`."""
    if span is None:
        return None
    worst = None
    for f in findings:
        fs = f.span
        if fs is None or fs.file is not span.file or not (span.start <= fs.start < max(span.end, span.start + 1)):
            continue
        if worst is None or _RANK.get(f.severity, 0) > _RANK.get(worst, 0):
            worst = f.severity
    return worst


# -- SVG -------------------------------------------------------------------------

CHAR_W = 7.2  # DejaVu Sans Mono / monospace at 12px
LINE_H = 16
COL_W = 380
COL_GAP = 90
PAD = 16


def _fit(text: str, width: float) -> str:
    n = max(int(width / CHAR_W), 4)
    return text if len(text) <= n else text[: n - 1] + "\u2026"


class _Svg:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, s: str) -> None:
        self.parts.append(s)

    def text(self, x: float, y: float, s: str, cls: str = "", width: float | None = None, anchor: str = "start") -> None:
        shown = _fit(s, width) if width else s
        title = f"<title>{escape(s)}</title>" if shown != s else ""
        a = f' text-anchor="{anchor}"' if anchor != "start" else ""
        c = f' class="{cls}"' if cls else ""
        self.add(f'<text x="{x:.0f}" y="{y:.0f}"{c}{a}>{title}{escape(shown)}</text>')

    def rect(self, x: float, y: float, w: float, h: float, cls: str, rx: int = 6) -> None:
        self.add(f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" rx="{rx}" class="{cls}"/>')


def _box(svg: _Svg, x: float, y: float, w: float, kind: str, title: str, lines: list[str],
         severity: str | None, attrs: str = "") -> float:
    """Draw one object box; returns its height."""
    h = LINE_H * (1 + len(lines)) + 12
    sev = f" sev-{severity}" if severity else ""
    svg.add(f'<g class="node {kind}{sev}"{attrs}>')
    svg.rect(x, y, w, h, f"box {kind}")
    svg.text(x + 10, y + LINE_H + 2, title, "title", w - 20)
    for i, line in enumerate(lines):
        svg.text(x + 10, y + LINE_H * (i + 2) + 2, line, "detail", w - 20)
    svg.add("</g>")
    return h


def svg(topo: Topology, findings: list | None = None) -> str:
    findings = findings or []
    s = _Svg()
    n = max(len(topo.hosts), 1)
    width = PAD * 2 + n * COL_W + (n - 1) * COL_GAP
    y0 = PAD
    anchors: dict[tuple[int, str, str], tuple[float, float, float, float]] = {}  # (col, kind, name) -> x, y, w, h
    bottoms = []
    for i, h in enumerate(topo.hosts):
        x = PAD + i * (COL_W + COL_GAP)
        y = y0
        s.add(f'<g class="host" data-host="{escape(h.name)}">')
        s.rect(x, y, COL_W, 34, "host-head", rx=4)
        s.text(x + 12, y + 22, h.name, "host-name", COL_W - 24)
        y += 46
        if not (h.drbd or h.vgs or h.targets):
            s.text(x + 12, y + 14, "no DRBD, LVM or iSCSI configuration", "empty")
            y += 24
        for d in h.drbd:
            lines = []
            if d.devices:
                lines.append("device " + ", ".join(d.devices))
            if d.disks:
                lines.append("disk " + ", ".join(d.disks))
            if d.address:
                lines.append("address " + d.address)
            for p in d.peers:
                lines.append(f"peer {p.host}" + (f" @ {p.address}" if p.address else ""))
            bh = _box(s, x, y, COL_W, "drbd", f"DRBD {d.name}", lines, worst_inside(d.span, findings),
                      f' data-resource="{escape(d.name)}"')
            anchors[(i, "drbd", d.name)] = (x, y, COL_W, bh)
            y += bh + 26
        for v in h.vgs:
            lines = ["PV " + ", ".join(v.pvs)] if v.pvs else []
            if v.lvs:
                lines.append("LV " + ", ".join(v.lvs))
            bh = _box(s, x + 20, y, COL_W - 40, "vg", f"VG {v.name}" + (" (on DRBD)" if v.on_drbd else ""),
                      lines, worst_inside(v.span, findings))
            anchors[(i, "vg", v.name)] = (x + 20, y, COL_W - 40, bh)
            for res in v.on_drbd:
                a = anchors.get((i, "drbd", res))
                if a:
                    cx = x + COL_W / 2
                    s.add(f'<line x1="{cx:.0f}" y1="{a[1] + a[3]:.0f}" x2="{cx:.0f}" y2="{y:.0f}" '
                          f'class="edge stack" marker-end="url(#arrow)"/>')
            y += bh + 26
        for t in h.targets:
            lines = [f"LUN {num}: {path}" for num, path in t.luns] or ["no LUNs"]
            if t.initiators:
                lines.append("initiators: " + ", ".join(t.initiators))
            bh = _box(s, x, y, COL_W, "target", f"iSCSI {t.stack} {t.iqn}", lines, worst_inside(t.span, findings))
            for vgname in t.vgs:
                a = anchors.get((i, "vg", vgname))
                if a:
                    cx = x + COL_W / 2 + 40
                    s.add(f'<line x1="{cx:.0f}" y1="{a[1] + a[3]:.0f}" x2="{cx:.0f}" y2="{y:.0f}" '
                          f'class="edge stack" marker-end="url(#arrow)"/>')
            y += bh + 26
        if h.rings:
            bh = _box(s, x, y, COL_W, "ring", "corosync", [f"{r}: {a}" for r, a in h.rings], None)
            y += bh + 26
        s.add("</g>")
        bottoms.append(y)
    # replication links between hosts: same resource name
    drawn: set[tuple] = set()
    for (i, kind, name), a in list(anchors.items()):
        if kind != "drbd":
            continue
        for (j, kind2, name2), b in anchors.items():
            if kind2 != "drbd" or name2 != name or j <= i or (i, j, name) in drawn:
                continue
            drawn.add((i, j, name))
            x1, y1 = a[0] + a[2], a[1] + a[3] / 2
            x2, y2 = b[0], b[1] + b[3] / 2
            if j == i + 1:
                s.add(f'<path d="M{x1:.0f},{y1:.0f} L{x2:.0f},{y2:.0f}" class="edge replication" '
                      f'data-resource="{escape(name)}"/>')
            else:  # arc over the columns in between
                top = min(a[1], b[1]) - 14 - 6 * (j - i)
                s.add(f'<path d="M{a[0] + a[2] / 2:.0f},{a[1]:.0f} C{a[0] + a[2] / 2:.0f},{top:.0f} '
                      f'{b[0] + b[2] / 2:.0f},{top:.0f} {b[0] + b[2] / 2:.0f},{b[1]:.0f}" class="edge replication" '
                      f'data-resource="{escape(name)}"/>')
            s.text((x1 + x2) / 2, min(y1, y2) - 6, name, "edge-label", COL_GAP + 40, anchor="middle")
    y = max(bottoms or [y0]) + 10
    columns = [(h.name, PAD + i * (COL_W + COL_GAP), bottoms[i]) for i, h in enumerate(topo.hosts)]
    for k, c in enumerate(topo.clusters):
        y = _cluster(s, c, PAD, y, width - 2 * PAD, findings, columns if k == 0 else []) + 20
    height = y + PAD
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" id="topology" class="topology" role="img" '
            f'aria-label="Site topology" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}">'
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow-head"/></marker></defs>')
    return head + "".join(s.parts) + "</svg>"


def _node_chips(inner: _Svg, parts: list[str], c: ClusterBox, x: float, y: float, width: float,
                columns: list) -> dict[str, tuple[float, float, float, float]]:
    """One chip per cluster node, under the column of the host it is (dashed
    line up to that host); nodes without a host column follow at the right."""
    from sanlint.views import same_host

    chips: dict[str, tuple[float, float, float, float]] = {}
    cw, ch = 220, 26
    free_x = x + 12
    used_cols = set()
    for node in c.nodes:
        col = next((k for k, (hn, _, _) in enumerate(columns) if k not in used_cols and same_host(node, hn)), None)
        if col is not None:
            used_cols.add(col)
            cx = columns[col][1] + (COL_W - cw) / 2
            hx, hb = columns[col][1] + COL_W / 2, columns[col][2]
            parts.append(f'<line x1="{hx:.0f}" y1="{hb - 16:.0f}" x2="{hx:.0f}" y2="{y:.0f}" class="edge membership" '
                         f'data-node="{escape(node)}"/>')
        else:
            cx = max(free_x, max((v[0] + v[2] + 16 for v in chips.values()), default=free_x))
        inner.add(f'<g class="node cluster-node" data-node="{escape(node)}">')
        inner.rect(cx, y, cw, ch, "box cluster-node", rx=12)
        inner.text(cx + cw / 2, y + 17, "node " + node, "title", cw - 16, anchor="middle")
        inner.add("</g>")
        chips[node] = (cx, y, cw, ch)
    return chips


def _cluster(s: _Svg, c: ClusterBox, x: float, y: float, width: float, findings, columns=()) -> float:
    s.add(f'<g class="cluster" data-source="{escape(c.source)}">')
    top = y
    parts: list[str] = []
    inner = _Svg()
    iy = y + 30
    label = f"Pacemaker cluster {c.name} ({c.source})" if c.name else f"Pacemaker cluster ({c.source})"
    inner.text(x + 12, y + 20, label, "cluster-name", width - 24)
    chips: dict = {}
    if c.nodes:
        chips = _node_chips(inner, parts, c, x, iy, width, list(columns))
        iy += 26 + 40
    # resources in rows
    bw = 300
    per_row = max(int((width - 24 + 24) // (bw + 24)), 1)
    pos: dict[str, tuple[float, float, float, float]] = {}
    row_y = iy + 6
    row_h = 0.0
    for k, r in enumerate(c.resources):
        col = k % per_row
        if col == 0 and k:
            row_y += row_h + 70
            row_h = 0
        bx = x + 12 + col * (bw + 24)
        lines = [f"{mid}  ({agent})" for mid, agent in r.members]
        lines += [f"service IP {ip}" for ip in r.service_ips]
        if r.initiators:
            lines.append("initiators: " + ", ".join(r.initiators))
        lines += [f"DRBD resource {d}" for d in r.drbd]
        if r.placement_note:
            lines.append(r.placement_note)
        title = f"{r.kind} {r.id}" + (f"  {r.agent}" if r.agent else "")
        sev = max((worst_inside(sp, findings) for sp in [r.span, *r.member_spans]),
                  key=lambda x: _RANK.get(x or "", 0), default=None)
        bh = _box(inner, bx, row_y, bw, "resource", title, lines, sev,
                  f' data-id="{escape(r.id)}"')
        pos[r.id] = (bx, row_y, bw, bh)
        row_h = max(row_h, bh)
    iy = row_y + row_h + 10
    # placements: from the top of a resource box up to the node chips
    for r in c.resources:
        b = pos.get(r.id)
        if b is None:
            continue
        for k, pl in enumerate(r.placement):
            chip = chips.get(pl.node)
            if chip is None:
                continue
            sx = b[0] + b[2] / 2 + (k - (len(r.placement) - 1) / 2) * 14
            ex, ey = chip[0] + chip[2] / 2, chip[1] + chip[3]
            rel = pl.relation.replace(" ", "-")
            inner.add(f'<line x1="{sx:.0f}" y1="{b[1]:.0f}" x2="{ex:.0f}" y2="{ey:.0f}" class="edge placement {rel}" '
                      f'data-resource="{escape(r.id)}" data-node="{escape(pl.node)}"'
                      + (' marker-end="url(#arrow)"' if pl.relation != "avoids" else "")
                      + f"><title>{escape(r.id)} {escape(pl.relation)} {escape(pl.node)} {escape(pl.detail)}</title></line>")
    # constraints between top-level resources: arcs below the boxes
    depth = 0
    for e in c.constraints:
        ends = [p for p in e.ends if p in pos]
        sev = worst_inside(e.span, findings)
        cls = f"edge constraint {e.kind}" + (f" sev-{sev}" if sev else "")
        if len(ends) >= 2:
            a, b = pos[ends[0]], pos[ends[-1]]
            ax, ay = a[0] + a[2] / 2, a[1] + a[3]
            bx, by = b[0] + b[2] / 2, b[1] + b[3]
            depth += 1
            low = max(ay, by) + 14 + 16 * depth
            marker = ' marker-end="url(#arrow)"' if e.kind == "order" else ""
            inner.add(f'<path d="M{ax:.0f},{ay:.0f} C{ax:.0f},{low:.0f} {bx:.0f},{low:.0f} {bx:.0f},{by:.0f}" '
                      f'class="{cls}" data-id="{escape(e.id)}"{marker}/>')
            bottom = max(ay, by) + 0.75 * (low - max(ay, by))  # the curve's lowest point
            inner.text((ax + bx) / 2, bottom + 14, e.text, f"edge-label {e.kind}", abs(bx - ax) + 200, anchor="middle")
            iy = max(iy, bottom + 22)
    ly = iy + 16
    for e in c.constraints:
        sev = worst_inside(e.span, findings)
        inner.add(f'<g class="constraint-line {e.kind}' + (f' sev-{sev}' if sev else '') + '">')
        inner.text(x + 12, ly, ("\u26a0 " if sev else "\u2022 ") + e.text, "detail", width - 24)
        inner.add("</g>")
        ly += LINE_H + 2
    height = ly - top + 4
    s.rect(x, top, width, height, "cluster-box", rx=8)
    s.parts.extend(inner.parts)
    s.parts.extend(parts)
    s.add("</g>")
    return top + height
