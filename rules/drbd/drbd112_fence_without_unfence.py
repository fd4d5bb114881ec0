"""No unfence: a crm fence-peer handler without its unfence counterpart.

## What it checks

A resource whose `fence-peer` handler is Pacemaker's `crm-fence-peer`
script (its own or from `common`) while no unfence handler is defined:
DRBD 8.x needs `after-resync-target crm-unfence-peer.sh` (8.4 also accepts
an `unfence-peer` handler), DRBD 9 needs `unfence-peer
crm-unfence-peer.9.sh`.  An unfence handler of the other version's form
is DRBD113's business.

## Why it matters

crm-fence-peer places a location constraint (`drbd-fence-by-handler-...`)
that forbids promoting the peer.  Only the unfence handler removes it
after the resync; without it the constraint stays forever, and the next
failover cannot promote the surviving node: the SAN stays down until
someone deletes the constraint by hand.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  disk { fencing resource-only; }
  handlers { fence-peer "/usr/lib/drbd/crm-fence-peer.sh"; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  disk { fencing resource-only; }
  handlers {
    fence-peer "/usr/lib/drbd/crm-fence-peer.sh";
    after-resync-target "/usr/lib/drbd/crm-unfence-peer.sh";
  }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Fix safety

Safe: the fix adds the unfence handler of the version in force next to
the fence-peer handler, in the same directory.  No fix under 8.x when an
`after-resync-target` handler already runs another script.

## Source

LINBIT users guide 8.4 `pacemaker.adoc` and 9 `drbd-pacemaker.adoc` (about
lines 200-226: fence-peer crm-fence-peer.9.sh with unfence-peer
crm-unfence-peer.9.sh; "we used to abuse the after-resync-target handler");
drbd-utils `scripts/crm-fence-peer.9.sh`; https://github.com/LINBIT/drbd-utils,
https://github.com/LINBIT/linbit-documentation.
"""

from __future__ import annotations

import posixpath

from sanlint.rule import Context, Fix, Rule
from sanlint.edit.brace import add_options
from sanlint_rules.drbd._common import UNFENCE_SCRIPT, Once, find, has_unfence, host_resources, version, version_note, where


class FenceWithoutUnfence(Rule):
    code = "DRBD112"
    name = "fence-without-unfence"
    severity = "warning"
    reads = ("drbd",)
    fix = "safe"

    def check(self, ctx: Context):
        site = ctx.site
        ver = version(site)
        once = Once()
        for host, res in host_resources(site):
            f = find(host, res, ("handlers",), ("fence-peer", "outdate-peer"))
            if f is None or "crm-fence-peer" not in (f.value or ""):
                continue
            if has_unfence(host, res) or not once.first(f.setting.span):
                continue
            script = (f.value or "").split()[0]
            directory = posixpath.dirname(script) or "/usr/lib/drbd"
            fix = None
            if ver == "9":
                fix = Fix([add_options(f.section, [f'unfence-peer "{directory}/{UNFENCE_SCRIPT["9"]}";'])],
                          "add the unfence-peer handler")
            elif find(host, res, ("handlers",), ("after-resync-target",)) is None:
                fix = Fix([add_options(f.section, [f'after-resync-target "{directory}/{UNFENCE_SCRIPT["8"]}";'])],
                          "add the after-resync-target unfence handler")
            want = ("unfence-peer crm-unfence-peer.9.sh" if ver == "9"
                    else "after-resync-target crm-unfence-peer.sh")
            yield self.finding(
                f"resource {res.name} fences with {posixpath.basename(script)} but has no unfence handler "
                f"({want}; {version_note(site)}): the fencing constraint is never removed and the next "
                f"failover cannot promote the peer",
                f.setting.span, identity=f"{where(f, res)} / handlers / unfence", fix=fix)
