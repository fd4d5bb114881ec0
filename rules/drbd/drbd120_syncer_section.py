"""syncer section: DRBD 8.3 syntax that 8.4 reorganised and DRBD 9 refuses.

## What it checks

A `syncer { }` section in a resource or in `common`.  DRBD 8.4 dissolved
it: `rate` became `disk { resync-rate }`, `after` became `disk {
resync-after }`, `al-extents` and the `c-*` resync-controller options went
to `disk { }`, `verify-alg`/`csums-alg`/`use-rle` to `net { }`, and
`cpu-mask`/`on-no-data-accessible` to the new `options { }` section.

## Why it matters

drbdadm 9.22 refuses `syncer { rate ...; }` outright ("'a syncer option
keyword' expected, but got 'rate'"), so an upgrade to DRBD 9 stops every
resource in the file; 8.4 only reads it through a compatibility shim.
The meaning also changed: 8.3's `rate` was a fixed resync rate, while
from 8.4 on the dynamic controller (`c-plan-ahead`, default 20) treats
`resync-rate` as a mere starting value.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  syncer { rate 40M; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  disk { resync-rate 40M; c-plan-ahead 0; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Fix safety

Safe: the fix is the `syncer` step of `sanlint migrate drbd-84` (the same
code, the same bytes).  It moves every syncer option, value and trailing
comment unchanged, to its 8.4 place (into an existing `disk`/`net`/`options`
section at the same level, or a new one written where the syncer section
stood, in its layout), renames `rate` to `resync-rate` and `after` to
`resync-after`, drops the options 8.4 ignores (`delay-probe-*`,
`throttle-threshold`, `hold-off-threshold`) and deletes the syncer
section.  No fix on a DRBD 8.3 site (configured or inferred): drbdadm-83
refuses every one of those 8.4 places (`disk { resync-rate }`, `net {
verify-alg }`, `options { }`), so there the syncer section is the only
valid spelling until the nodes are upgraded; `sanlint migrate drbd-84`
does that move, keeping the fixed rate with `--set fixed-resync-rate=yes`.
No fix either when the section holds an option sanlint does not know.

## Source

LINBIT users guide 8.4 `recent-changes.adoc` (the syncer section is gone;
changed defaults); drbd-utils `user/v9/drbdadm_parser.c`
`parse_options_syncer()` and `check_deprecated_alias()`; drbdsetup-options
`resync-rate`, `c-plan-ahead`; https://github.com/LINBIT/drbd-utils,
https://github.com/LINBIT/linbit-documentation.
"""

from __future__ import annotations

from sanlint.rule import Context, Fix, Rule
from sanlint.transform.drbd import dissolve_syncer
from sanlint_rules.drbd._common import Once, commons, version

class SyncerSection(Rule):
    code = "DRBD120"
    name = "syncer-section"
    severity = "warning"
    reads = ("drbd",)
    fix = "safe"

    def check(self, ctx: Context):
        ver = version(ctx.site)
        once = Once()
        for host in ctx.site.hosts.values():
            conts = [(r, f"drbd resource {r.name}", f"resource {r.name}") for r in host.drbd_resources]
            conts += [(c, "drbd common", "common") for c in commons(host)]
            for cont, ident, label in conts:
                for sec in cont.sections_of("syncer"):
                    if not once.first(sec.span):
                        continue
                    yield self.finding(
                        f"{label} has a syncer section (DRBD 8.3 syntax): 8.4 moved its options to disk/net/options "
                        f"and drbdadm 9 refuses `syncer {{ rate }}`"
                        + (f"; `rate {sec.get('rate').value}` becomes `resync-rate`" if sec.get("rate") else ""),
                        sec.span, identity=f"{ident} / syncer", fix=self._fix(cont, sec, ver, label == "common"))

    def _fix(self, cont, sec, ver: str, common: bool) -> Fix | None:
        if ver == "8.3":
            return None  # drbdadm-83 refuses the 8.4 places (sanlint.drbd_versions.REFUSED)
        edits, items = dissolve_syncer(cont, sec, target="9" if ver == "9" else "8.4", fixed_rate=False,
                                       common=common)
        if not edits or any(i.severity == "error" for i in items):
            return None
        return Fix(edits, "move the syncer options to their DRBD 8.4 sections")
