"""Drift: a resource is defined differently on two hosts.

## What it checks

Every resource defined on more than one host is compared statement by
statement (with the `common` options it inherits), regardless of layout,
comments and statement order; the first statement that differs is named
on each side, and the finding sits on the host that differs from the
first host that defines the resource.  A resource that names a host in an
`on` section but is missing from that host's DRBD files is reported too.

## Why it matters

DRBD expects the same configuration file on every node ("the
configuration file should be identical on all nodes"): drbdadm adjust on
one node then programs different net or disk options than the peer,
connections fail with "incompatible" protocol or authentication errors,
and a failover runs the resource with the settings nobody reviewed.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  net { protocol C; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

```drbd path=san-2:etc/drbd.d/r0.res
resource r0 {
  net { protocol A; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  net { protocol C; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

```drbd path=san-2:etc/drbd.d/r0.res
resource r0 {
  net { protocol C; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Fix safety

No automatic fix: which side is right is the admin's call; copy the file.

## Source

drbd.conf(5) ("the configuration file ... should be identical on all
nodes"; `csync2` or similar is recommended in the LINBIT users guide,
`drbd-configure.adoc`); drbdadm `adjust` compares with the running
kernel only, never with the peer's file.
"""

from __future__ import annotations

from sanlint import views
from sanlint.model.base import is_secret
from sanlint.rule import Context, Rule
from sanlint_rules.drbd._common import Once, commons


def _text(span) -> str:
    t = " ".join(span.file.data[span.start:span.end].decode("utf-8", "surrogateescape").split())
    return t if len(t) <= 70 else t[:67] + "..."


class _Statements:
    def __init__(self) -> None:
        self.items: dict[str, tuple[str, object, bool]] = {}  # key -> (value, span, in_common)

    def add(self, key: str, value, span, in_common: bool = False) -> None:
        k, n = key, 1
        while k in self.items:
            n += 1
            k = f"{key} #{n}"
        self.items[k] = (str(value), span, in_common)

    def section(self, prefix: str, sec, in_common: bool = False) -> None:
        for o in sec.options:
            self.add(f"{prefix}{sec.kind} {{ {o.name} }}", o.value, o.span, in_common)
        for sub in sec.sections:
            self.section(f"{prefix}{sec.kind} {{ ", sub, in_common)

    def volume(self, prefix: str, v) -> None:
        vp = f"{prefix}volume {v.number} / " if v.number is not None else prefix
        for st in v.statements:
            self.add(f"{vp}{st.name}", st.value, st.span)
        for sec in v.sections:
            self.section(vp, sec)


def statements(host, res) -> _Statements:
    s = _Statements()
    if res.protocol is not None:
        s.add("protocol", (res.protocol.value or "").upper(), res.protocol.span)
    for sec in res.sections:
        s.section("", sec)
    for v in res.volumes:
        s.volume("", v)
    for h in res.hosts:
        p = f"{h.kind} {' '.join(h.names) or h.lower_resource or ''} / "
        s.add(f"{p}section", "", h.span)
        if h.address is not None:
            a = h.address
            s.add(f"{p}address", f"{a.family}:{a.address}:{a.port}", a.span)
        if h.alternate_address is not None:
            a = h.alternate_address
            s.add(f"{p}alternate-link-address", f"{a.family}:{a.address}:{a.port}", a.span)
        if h.node_id is not None:
            s.add(f"{p}node-id", h.node_id, h.node_id_span or h.span)
        for v in h.volumes:
            s.volume(p, v)
        for sec in h.sections:
            s.section(p, sec)
    for c in res.connections:
        p = f"{'connection-mesh' if c.mesh else 'connection'} {' '.join(c.hosts)} / "
        s.add(f"{p}section", "", c.span)
        for a in c.addresses:
            s.add(f"{p}address", f"{a.family}:{a.address}:{a.port}", a.span)
        for sec in c.sections:
            s.section(p, sec)
        for v in c.volumes:
            s.volume(p, v)
    for st in res.ignore_on:
        s.add("ignore-on", st.value, st.span)
    for c in commons(host):
        if c.protocol is not None:
            s.add("common protocol", (c.protocol.value or "").upper(), c.protocol.span, True)
        for sec in c.sections:
            s.section("common / ", sec, True)
    return s


def first_difference(a: _Statements, b: _Statements):
    """(key, a item or None, b item or None) of the first difference, in a's order."""
    for key, item in a.items.items():
        other = b.items.get(key)
        if other is None or other[0] != item[0]:
            return key, item, other
    for key, item in b.items.items():
        if key not in a.items:
            return key, None, item
    return None


def _show(key: str, item) -> str:
    if item is None:
        return "nothing"
    span = item[1]
    name = key.split("{ ")[-1].rstrip(" }").split(" #")[0]
    text = f"`{name} <secret>`" if is_secret(name) else f"`{_text(span)}`"
    return f"{text} ({span.path}:{span.line})"


class HostDrift(Rule):
    code = "DRBD105"
    name = "host-drift"
    severity = "error"
    reads = ("drbd",)

    def check(self, ctx: Context):
        site = ctx.site
        once = Once()
        for name, copies in views.drbd_by_name(site).items():
            hosts_with = {id(c.host) for c in copies}
            ref = copies[0]
            # a host named in an `on` section whose DRBD files lack the resource
            for h in ref.resource.hosts:
                if h.kind != "on":
                    continue
                for n in h.names:
                    target = views.host_for(site, n)
                    if target is None or not target.name or id(target) in hosts_with or not target.drbd:
                        continue
                    yield self.finding(
                        f"resource {name} names host {n} (`on {n}`) but {target.name}'s DRBD files do not "
                        f"define it: drbdadm cannot bring {name} up on {target.name}; copy the file there",
                        ref.resource.span, identity=f"drbd resource {name} / missing on {target.name}")
            if len(copies) < 2:
                continue
            a = statements(ref.host, ref.resource)
            seen_hosts = {id(ref.host)}
            for c in copies[1:]:
                if id(c.host) in seen_hosts:
                    continue  # defined twice on one host: drbdadm's own "conflicting use" error
                seen_hosts.add(id(c.host))
                diff = first_difference(a, statements(c.host, c.resource))
                if diff is None:
                    continue
                key, mine, theirs = diff
                span = theirs[1] if theirs is not None else c.resource.span
                in_common = bool(theirs and theirs[2]) or bool(mine and mine[2])
                if in_common and not once.first(span, key):
                    continue
                where = "drbd common" if in_common else f"drbd resource {name}"
                yield self.finding(
                    f"resource {name} differs between hosts: {c.host.name or 'this host'} has "
                    f"{_show(key, theirs)} where {ref.host.name or 'the first host'} has {_show(key, mine)}; "
                    f"the DRBD files must be identical on every node",
                    span, identity=f"{where} / {key} / {ref.host.name} vs {c.host.name}")
