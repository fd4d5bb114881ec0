"""Wrong drbd_resource: the DRBD agent names a resource that does not exist, or a device.

## What it checks

The `drbd_resource` parameter of every `ocf:linbit:drbd` (or
`ocf:heartbeat:drbd`) primitive must be the *name* of a DRBD resource
defined on the hosts, not a device path like `/dev/drbd0`.  Checked only
when the site includes the hosts' DRBD configuration.

## Why it matters

The agent runs `drbdadm <action> <drbd_resource>`; with a wrong name every
start fails ("not defined in your config"), the clone never promotes, and
everything ordered after it stays down.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on san-1 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on san-2 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

```crm path=@cluster.crm
primitive drbd_r0 ocf:linbit:drbd params drbd_resource=/dev/drbd0 op monitor interval=29s role=Promoted op monitor interval=31s role=Unpromoted
clone drbd_r0_clone drbd_r0 meta promotable=true notify=true
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on san-1 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on san-2 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

```crm path=@cluster.crm
primitive drbd_r0 ocf:linbit:drbd params drbd_resource=r0 op monitor interval=29s role=Promoted op monitor interval=31s role=Unpromoted
clone drbd_r0_clone drbd_r0 meta promotable=true notify=true
```

## Fix safety

Safe when the value is a device path or `/dev/drbd/by-res/NAME` that maps
to exactly one DRBD resource: the fix writes that resource's name.  For an
unknown name with exactly one DRBD resource that no primitive manages, the
fix proposing it is unsafe; otherwise no fix.

## Source

drbd-utils `scripts/drbd.ocf` (`drbd_resource`: "The name of the drbd
resource from the drbd.conf file"); ocf:linbit:drbd meta-data.
"""

from __future__ import annotations

from sanlint.rule import Edit, Fix, Rule
from sanlint.views import DRBD_AGENTS, drbd_by_name, drbd_minor


def _device_map(site) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name, defs in drbd_by_name(site).items():
        for d in defs:
            r = d.resource
            out.setdefault(f"/dev/drbd/by-res/{name}", set()).add(name)
            vols = list(r.volumes) + [v for h in r.hosts for v in h.volumes]
            for v in vols:
                if v.device:
                    out.setdefault(v.device, set()).add(name)
                minor = drbd_minor(v.device, v.minor)
                if minor is not None:
                    out.setdefault(f"/dev/drbd{minor}", set()).add(name)
                if v.number is not None:
                    out.setdefault(f"/dev/drbd/by-res/{name}/{v.number}", set()).add(name)
    return out


class DrbdResourceName(Rule):
    code = "PCMK108"
    name = "drbd-resource-name"
    severity = "error"
    reads = ("cluster", "drbd")
    fix = "unsafe"

    def check(self, ctx):
        site = ctx.site
        defined = drbd_by_name(site)
        prims = [(c, p) for c in site.all_clusters() for p in c.primitives() if c.agent_of(p) in DRBD_AGENTS]
        if not prims:
            return
        managed = {p.params_dict().get("drbd_resource") for _, p in prims}
        devmap = None
        for c, p in prims:
            pair = p.param("drbd_resource")
            if pair is None or not pair.value:
                continue  # a missing required parameter is PCMK115
            value = pair.value
            if value.startswith("/dev/"):
                devmap = devmap if devmap is not None else _device_map(site)
                names = devmap.get(value.rstrip("/"), set())
                fix = Fix([Edit.replace(pair.value_span, next(iter(names)))], f"use the resource name {next(iter(names))}") \
                    if len(names) == 1 and pair.value_span is not None else None
                yield self.finding(
                    f"primitive {p.id} sets drbd_resource={value}, a device path: the agent expects the DRBD resource "
                    f"name{' (' + next(iter(names)) + ')' if len(names) == 1 else ''} and every start fails",
                    pair.span, identity=f"resource {p.id} / drbd_resource", fix=fix)
                continue
            if not defined or value in defined:
                continue
            spare = [n for n in defined if n not in managed]
            fix = Fix([Edit.replace(pair.value_span, spare[0])], f"use DRBD resource {spare[0]}", safe=False) \
                if len(spare) == 1 and pair.value_span is not None else None
            yield self.finding(
                f"primitive {p.id} sets drbd_resource={value}, but no host defines a DRBD resource of that name "
                f"(defined: {', '.join(sorted(defined))}): every start fails",
                pair.span, identity=f"resource {p.id} / drbd_resource", fix=fix)
