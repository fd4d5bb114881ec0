"""Minor clash: two resources on one host use the same DRBD minor or device.

## What it checks

The device of every volume of every resource, per host section (resource
level `device` statements are inherited by every host): when a second
resource uses a minor number (or a `/dev/drbd_NAME` device path) that a
resource read before it already uses on the same host, the second one is
reported, naming the first.

## Why it matters

A minor is one kernel block device: drbdadm refuses the configuration
("conflicting use of device-minor 'device-minor:node1:0'"), and if the
files were checked separately the second resource cannot be brought up,
so whatever sits on it (an LVM volume group, an iSCSI LUN) never starts on
that node.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

```drbd path=etc/drbd.d/r1.res
resource r1 {
  on alpha { device /dev/drbd0; disk /dev/sdc; meta-disk internal; address 10.0.0.1:7790; }
  on bravo { device /dev/drbd1; disk /dev/sdc; meta-disk internal; address 10.0.0.2:7790; }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

```drbd path=etc/drbd.d/r1.res
resource r1 {
  on alpha { device /dev/drbd1; disk /dev/sdc; meta-disk internal; address 10.0.0.1:7790; }
  on bravo { device /dev/drbd1; disk /dev/sdc; meta-disk internal; address 10.0.0.2:7790; }
}
```

## Fix safety

No automatic fix: the device path is referenced elsewhere (LVM filters,
Pacemaker resources, fstab), so renumbering needs the admin.

## Source

drbd-utils `user/v9/drbdadm_postparse.c` / `drbdadm_parser.c` (uniqueness
checks, "conflicting use of device-minor"); `user/v9/drbdadm_linux.c`
`parse_device()`; https://github.com/LINBIT/drbd-utils.
"""

from __future__ import annotations

from sanlint.rule import Context, Rule
from sanlint_rules.drbd._common import Once, own_host, version


def host_key(name: str, ver: str) -> str:
    """drbdadm 9 matches host names ignoring case and domain; 8.x exactly."""
    from sanlint.views import short

    return short(name) if ver == "9" else name


def volume_claims(host, res, what: str, ver: str):
    """(host key, host name, value, statement span) of every volume's device
    minor (`what`="minor") or backing disk (`what`="disk") per host section."""
    own = own_host(host, res)
    sections = [own] if own is not None else [h for h in res.hosts if h.names or h.kind != "on"]
    for h in sections:
        for v in res.effective_volumes(h):
            if what == "minor":
                if v.minor is not None:
                    value = f"minor {v.minor}"
                elif v.device:
                    value = v.device
                else:
                    continue
                st = v.statement("device")
            else:
                if not v.disk or v.disk == "none":
                    continue
                value = v.disk
                st = v.statement("disk")
            span = st.span if st is not None else v.span
            for n in (h.names or [h.kind]):
                yield host_key(n, ver), n, value, span


class MinorClash(Rule):
    code = "DRBD102"
    name = "minor-clash"
    severity = "error"
    reads = ("drbd",)

    def check(self, ctx: Context):
        ver = version(ctx.site)
        for host in ctx.site.hosts.values():
            seen: dict[tuple[str, str], tuple[str, object]] = {}
            once = Once()
            for res in host.drbd_resources:
                for key, hname, value, span in volume_claims(host, res, "minor", ver):
                    prev = seen.setdefault((key, value), (res.name, span))
                    if prev[0] == res.name or not once.first(span, prev[0]):
                        continue
                    yield self.finding(
                        f"resources {prev[0]} and {res.name} both use {value} on host {hname} "
                        f"({prev[0]} at {prev[1].path}:{prev[1].line}): drbdadm refuses the configuration "
                        f"and {res.name} cannot be brought up there; give it a free minor",
                        span, identity=f"drbd resource {res.name} / device / {value} on {key}")
