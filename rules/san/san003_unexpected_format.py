"""Unexpected format: a file sits where a known format lives but is not that format.

## What it checks

A file in a place the SAN stack reads, such as `drbd.d/*.res`,
`tgt/conf.d/*.conf` or `lvm/backup/`, whose content is not that format (for
example a crm snippet saved as `drbd.d/cluster.res`), or a file named on the
command line whose format sanlint cannot recognise.

## Why it matters

`drbd.conf` includes `drbd.d/*.res` wholesale: a stray file there makes
drbdadm fail to parse the entire configuration, on every node that receives
it.

## Example

```text path=etc/drbd.d/cluster.res
primitive drbd_r0 ocf:linbit:drbd params drbd_resource=r0
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Fix safety

No automatic fix: move the file where it belongs.

## Source

drbd.conf(5): the default drbd.conf includes `drbd.d/*.res`; tgt's
targets.conf includes `conf.d/*.conf`.
"""

from sanlint.rule import Rule
from sanlint_rules.san import input_findings


class UnexpectedFormatRule(Rule):
    code = "SAN003"
    name = "unexpected-format"
    severity = "warning"
    reads = ("files",)

    def check(self, ctx):
        return input_findings(self, ctx)
