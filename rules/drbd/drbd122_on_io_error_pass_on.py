"""pass_on: `on-io-error pass_on` hands disk errors to the file system.

## What it checks

An `on-io-error pass_on` statement in any `disk { }` section (resource,
volume or `common`).

## Why it matters

With `pass_on` a failing backing disk reports its I/O errors up to the
file system or the iSCSI initiator on the primary, which then remounts
read-only or fails the LUN, although the peer holds a good copy.  With
`detach` DRBD drops the broken disk and keeps serving I/O diskless from
the peer; LINBIT recommends it, and it became the default in 8.4.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  disk { on-io-error pass_on; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  disk { on-io-error detach; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Fix safety

Safe: the fix replaces the value `pass_on` by `detach`; nothing else
changes.  It changes only what happens after a disk failure, to the
behaviour LINBIT recommends.

## Source

drbd.conf(5) / drbdsetup-options `on-io-error` ("detach: ... the node continues
in diskless mode ... the recommended setting"); LINBIT users guide 8.4
`recent-changes.adoc` (default changed from pass_on to detach); https://github.com/LINBIT/drbd-utils,
https://github.com/LINBIT/linbit-documentation, drbd.conf(5) at
https://manpages.debian.org/drbd.conf.5.
"""

from __future__ import annotations

from sanlint.rule import Context, Edit, Fix, Rule
from sanlint_rules.drbd._common import commons, resource_sections


class OnIoErrorPassOn(Rule):
    code = "DRBD122"
    name = "on-io-error-pass-on"
    severity = "warning"
    reads = ("drbd",)
    fix = "safe"

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
                    o = sec.get("on-io-error")
                    if o is None or (o.value or "") != "pass_on" or id(o) in seen:
                        continue
                    seen.add(id(o))
                    fix = Fix([Edit.replace(o.value_span, "detach")], "use on-io-error detach") \
                        if o.value_span is not None else None
                    yield self.finding(
                        f"{label} sets on-io-error pass_on: a failing backing disk passes its I/O errors to the "
                        f"file system or initiator instead of continuing diskless from the peer; use detach",
                        o.span, identity=f"{ident} / disk / on-io-error", fix=fix)
