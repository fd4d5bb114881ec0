"""Flushes off: disk flushes or barriers turned off.

## What it checks

`disk-flushes no`, `md-flushes no` or `disk-barrier no` (and the 8.3
switches `no-disk-flushes;`, `no-md-flushes;`, `no-disk-barrier;`) in any
`disk { }` section of a resource, volume or `common`.

## Why it matters

These options make DRBD skip the cache flushes that put its data and
metadata on stable storage.  On a controller without a battery- or
flash-backed write cache, a power loss then loses or corrupts writes
that both nodes already acknowledged, and the activity log no longer
tells which blocks to resync.  It is only safe with a protected cache:
say so with a suppression comment on the line, which documents the
accepted risk for auditors.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  disk { disk-flushes no; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  disk {
    # battery-backed cache on the RAID controller of both nodes
    disk-flushes no; # sanlint: disable=DRBD124
  }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Fix safety

No automatic fix: only the admin knows whether the write cache is
protected.

## Source

drbdsetup-options `disk-flushes`, `md-flushes`, `disk-barrier` ("can lead to
data loss or corruption"); drbd-utils `scripts/drbd.conf.example` ("If you have
a reasonable RAID controller with non volatile write cache");
https://github.com/LINBIT/drbd-utils.
"""

from __future__ import annotations

from sanlint.rule import Context, Rule
from sanlint_rules.drbd._common import commons, resource_sections

OPTIONS = ("disk-flushes", "md-flushes", "disk-barrier")


def turned_off(o) -> str | None:
    v = (o.value or "").lower()
    if o.name in OPTIONS and v in ("no", "off", "false", "0"):
        return o.name
    if o.name.startswith("no-") and o.name[3:] in OPTIONS and v != "yes":
        return o.name[3:]
    return None


class FlushesDisabled(Rule):
    code = "DRBD124"
    name = "flushes-disabled"
    severity = "warning"
    reads = ("drbd",)

    def check(self, ctx: Context):
        for host in ctx.site.hosts.values():
            seen: set[int] = set()
            scopes = [(f"drbd resource {r.name}", f"resource {r.name}", resource_sections(r))
                      for r in host.drbd_resources]
            scopes += [("drbd common", "common", c.sections) for c in commons(host)]
            for ident, label, sections in scopes:
                for sec in sections:
                    if sec.kind != "disk":
                        continue
                    for o in sec.options:
                        what = turned_off(o)
                        if what is None or id(o) in seen:
                            continue
                        seen.add(id(o))
                        yield self.finding(
                            f"{label} turns {what} off: without a battery- or flash-backed write cache a power "
                            f"loss loses or corrupts acknowledged writes; if the cache is protected, say so with "
                            f"a suppression comment",
                            o.span, identity=f"{ident} / disk / {what}")
