"""Broken include: an `include` names a missing file, or includes form a cycle.

## What it checks

An `include` statement in drbd.conf (or tgt's targets.conf) whose literal
file name (no glob characters) does not exist, or an include chain that
leads back to a file that is already being read.  Paths are resolved the way
drbdadm does it: relative to the directory of the including file; inside a
host root, absolute paths are taken relative to that root.  An include
that leads outside the tree being checked (`include "../../../etc/shadow"`,
or through a symbolic link) is reported too and never read: sanlint only
reads, quotes and fixes files of the tree it was given.

## Why it matters

drbdadm refuses the whole configuration when a literal include is missing
("Failed to open include file", exit 10), so no resource can be brought up
or adjusted on that node.  A cycle is tolerated by drbdadm (each file is read
once) but always a mistake.

## Example

```drbd path=etc/drbd.conf
include "drbd.d/global_common.conf";
include "drbd.d/*.res";
```

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Use instead

```drbd path=etc/drbd.conf
include "drbd.d/*.conf";
include "drbd.d/*.res";
```

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Fix safety

No automatic fix: create the file or correct the name.

## Source

drbd-utils `user/v9/drbdadm_parser.c` `include_stmt()` (glob(3) relative to
the including file, "Failed to open include file"); drbd.conf(5).
"""

from sanlint.rule import Rule
from sanlint_rules.san import input_findings


class IncludeErrorRule(Rule):
    code = "SAN002"
    name = "include-error"
    severity = "error"
    reads = ("files",)

    def check(self, ctx):
        return input_findings(self, ctx)
