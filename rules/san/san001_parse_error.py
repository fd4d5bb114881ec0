"""Parse error: a file cannot be parsed.

## What it checks

A configuration file that its format's grammar rejects: a missing `;` or
`}` in drbd.conf, a stray token in a crm file, malformed XML in a CIB,
invalid JSON in saveconfig.json.  Also files that cannot be checked at all:
unreadable, binary, or far too large to be configuration; fifos, devices and
directories named like configuration files; unreadable directories; and
symbolic links that lead outside the tree being checked (never followed).  The message
gives the line and column, the token found and what the grammar expected
there.  The other files of the site are still checked.

## Why it matters

The real tools refuse the whole file: `drbdadm` stops at the first parse
error ("Parse error: ';' expected, but got 'meta-disk'"), so `drbdadm adjust`
after a config push leaves the running resource on its old settings, and a
failover node may bring the resource up with a different configuration or
not at all.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha {
    device /dev/drbd0;
    disk /dev/sdb
    meta-disk internal;
    address 10.0.0.1:7789;
  }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha {
    device /dev/drbd0;
    disk /dev/sdb;
    meta-disk internal;
    address 10.0.0.1:7789;
  }
}
```

## Fix safety

No automatic fix: only the admin knows what was meant.

## Source

drbdadm's parser, drbd-utils `user/v9/drbdadm_parser.c`; crmsh `parse.py`;
Pacemaker's CIB schemas.
"""

from sanlint.rule import Rule
from sanlint_rules.san import input_findings


class ParseErrorRule(Rule):
    code = "SAN001"
    name = "parse-error"
    severity = "error"
    reads = ("files",)

    def check(self, ctx):
        return input_findings(self, ctx)
