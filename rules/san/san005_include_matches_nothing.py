"""Empty include glob: an `include` pattern matches no file.

## What it checks

An `include` glob in drbd.conf (or tgt's targets.conf) that matches no file
at all, resolved relative to the including file as drbdadm does.

## Why it matters

drbdadm ignores such an include silently (only `-v` prints "no match for
include pattern"), so a typo such as `drbd.d/*.rse` or a directory that was
not copied to the second node quietly drops every resource it should have
defined.

## Example

```drbd path=etc/drbd.conf
include "drbd.d/*.rse";
```

## Use instead

```drbd path=etc/drbd.conf
include "drbd.d/*.res";
```

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Fix safety

No automatic fix.

## Source

drbd-utils `user/v9/drbdadm_parser.c` `include_stmt()`: a glob without
match is skipped, only verbose mode mentions it.
"""

from sanlint.rule import Rule
from sanlint_rules.san import input_findings


class IncludeMatchesNothingRule(Rule):
    code = "SAN005"
    name = "include-matches-nothing"
    severity = "warning"
    reads = ("files",)

    def check(self, ctx):
        return input_findings(self, ctx)
