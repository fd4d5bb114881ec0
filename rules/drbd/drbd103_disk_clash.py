"""Disk clash: two resources on one host use the same backing disk.

## What it checks

The backing `disk` of every volume of every resource, per host section
(resource-level `disk` statements are inherited by every host): when a
second resource names a backing device that a resource read before it
already uses on the same host, the second one is reported, naming the
first.  `disk none` (diskless) is not a claim.

## Why it matters

Two replicated devices writing to one block device corrupt each other's
data and metadata (internal metadata sits at the end of the device).
drbdadm refuses the configuration ("conflicting use of disk
'disk:node1:/dev/vg0/r0'"), and when the files are checked one by one the
second attach overwrites the first resource's activity log.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

```drbd path=etc/drbd.d/r1.res
resource r1 {
  on alpha { device /dev/drbd1; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7790; }
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

No automatic fix: only the admin knows which resource owns the disk.

## Source

drbd-utils `user/v9/drbdadm_postparse.c` / `drbdadm_parser.c` (uniqueness
checks, "conflicting use of disk"); https://github.com/LINBIT/drbd-utils.
"""

from __future__ import annotations

from sanlint.rule import Context, Rule
from sanlint_rules.drbd._common import Once, version
from sanlint_rules.drbd.drbd102_minor_clash import volume_claims


class DiskClash(Rule):
    code = "DRBD103"
    name = "disk-clash"
    severity = "error"
    reads = ("drbd",)

    def check(self, ctx: Context):
        ver = version(ctx.site)
        for host in ctx.site.hosts.values():
            seen: dict[tuple[str, str], tuple[str, object]] = {}
            once = Once()
            for res in host.drbd_resources:
                for key, hname, value, span in volume_claims(host, res, "disk", ver):
                    prev = seen.setdefault((key, value), (res.name, span))
                    if prev[0] == res.name or not once.first(span, prev[0]):
                        continue
                    yield self.finding(
                        f"resources {prev[0]} and {res.name} both use backing disk {value} on host {hname} "
                        f"({prev[0]} at {prev[1].path}:{prev[1].line}): they would overwrite each other's "
                        f"data and metadata; drbdadm refuses the configuration",
                        span, identity=f"drbd resource {res.name} / disk {value} on {key}")
