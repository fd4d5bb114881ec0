"""Ignored resync rate: `resync-rate` while the dynamic resync controller is on.

## What it checks

A resource with a resync rate (`disk { resync-rate }`, or an old
`syncer { rate }`) whose effective `c-plan-ahead` is above 0 (written, or
the default 20 of DRBD 8.4 and 9; 8.3's default is 0) and no `c-max-rate`
cap.

## Why it matters

With the dynamic controller on, `resync-rate` is only the starting value;
the controller then raises the rate up to `c-max-rate` (default 100M) to
fill the link, so a rate chosen to protect application I/O or cluster
traffic is silently not honoured.  Configurations migrated from 8.3
often keep `rate` expecting the old fixed behaviour.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  disk { resync-rate 30M; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  disk { resync-rate 30M; c-max-rate 40M; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Fix safety

No automatic fix: cap with `c-max-rate`, or set `c-plan-ahead 0` for a
truly fixed rate; which one depends on the link.

## Source

drbdsetup-options `resync-rate` ("only works when the dynamic resync controller
is disabled") and `c-plan-ahead`; LINBIT users guide 9
`drbd-administration-manual.adoc` (about lines 799-846);
https://kb.linbit.com/tuning-drbds-resync-controller;
https://github.com/LINBIT/drbd-utils,
https://github.com/LINBIT/linbit-documentation.
"""

from __future__ import annotations

from sanlint.rule import Context, Rule
from sanlint_rules.drbd._common import Once, find, host_resources, version
from sanlint_rules.drbd.drbd121_resync_starves_totem import plan_ahead


class ResyncRateIgnored(Rule):
    code = "DRBD123"
    name = "resync-rate-ignored"
    severity = "info"
    reads = ("drbd",)

    def check(self, ctx: Context):
        ver = version(ctx.site)
        once = Once()
        for host, res in host_resources(ctx.site):
            rate = find(host, res, ("disk", "syncer"), ("resync-rate", "rate"))
            if rate is None:
                continue
            cpa, written = plan_ahead(host, res, ver)
            if cpa == 0 or find(host, res, ("disk", "syncer"), ("c-max-rate",)) is not None:
                continue
            if not once.first(rate.setting.span, res.name):
                continue
            why = f"c-plan-ahead {cpa}" if written else f"c-plan-ahead defaults to {cpa} under DRBD {ver}"
            yield self.finding(
                f"resource {res.name} sets {rate.setting.name} {rate.value} but the dynamic resync controller is "
                f"on ({why}): the rate is only a starting value; cap it with c-max-rate or set c-plan-ahead 0",
                rate.setting.span, identity=f"drbd resource {res.name} / resync rate / controller")
