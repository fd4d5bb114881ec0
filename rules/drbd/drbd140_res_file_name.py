"""File name: a `.res` file's name differs from its resource, or it defines several.

## What it checks

Every DRBD file whose name ends in `.res`: it should define exactly one
resource, named like the file (`r0.res` defines `resource r0`).  A file
with several resources is reported at each resource after the first; a
file with one resource of another name at that resource.

## Why it matters

Admins (and tools like LINSTOR, csync2 setups and the LINBIT guide's
layout) find a resource by its file: a mismatch means the file someone
edits, copies to the peer or deletes is not the one they think, and
several resources in one file make a per-resource change touch the
others on `drbdadm adjust all`.

## Example

```drbd path=etc/drbd.d/data.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Fix safety

No automatic fix: renaming or splitting files is left to the admin (and
to their configuration management).

## Source

drbd.conf(5) and the default `/etc/drbd.conf` (`include "drbd.d/*.res"`,
one file per resource); LINBIT users guide 9 `drbd-configure.adoc`
("/etc/drbd.d/<resource>.res").
"""

from __future__ import annotations

import posixpath

from sanlint.rule import Context, Rule


class ResFileName(Rule):
    code = "DRBD140"
    name = "res-file-name"
    severity = "info"
    reads = ("drbd",)

    def check(self, ctx: Context):
        for host in ctx.site.hosts.values():
            for cfg in host.drbd:
                base = posixpath.basename(cfg.span.path.replace("\\", "/"))
                if not base.endswith(".res") or not cfg.resources:
                    continue
                stem = base[:-4]
                if len(cfg.resources) > 1:
                    # the message names its own resource only: listing all of them in each of the
                    # n-1 findings would make the output quadratic in the number of resources
                    first, n = cfg.resources[0].name, len(cfg.resources)
                    for r in cfg.resources[1:]:
                        yield self.finding(
                            f"{base} defines {n} resources ({first} first, then {r.name} here): keep one resource "
                            f"per file, named after it ({r.name}.res)",
                            r.span, identity=f"drbd resource {r.name} / file {base}")
                elif cfg.resources[0].name != stem:
                    r = cfg.resources[0]
                    yield self.finding(
                        f"{base} defines resource {r.name}: name the file {r.name}.res so it is found by its name",
                        r.span, identity=f"drbd resource {r.name} / file {base}")
