'''Malformed device filter entry: not `a`/`r` + delimiter-quoted regex, or a regex LVM refuses.

## What it checks

Every entry of `devices/filter` and `devices/global_filter`: it must be a
quoted string of the form `a|regex|` or `r|regex|` (any delimiter; `(`,
`[` and `{` close with `)`, `]`, `}`), the last character must be the
delimiter, and the regex must be one lvm2's regex engine accepts (no empty
regex, no `*`, `+` or `?` with nothing to repeat, balanced parentheses and
brackets).

## Why it matters

lvm2 refuses the whole filter ("Invalid filter pattern", "Failed to create
regex device filter"): every LVM command on the host fails, including the
`vgchange -ay` of the cluster resource, so the VG cannot be activated on
failover.  The file itself parses, so `lvmconfig` does not notice.

## Example

```lvm path=etc/lvm/lvm.conf
devices {
    filter = [ "a|/dev/drbd.*|", "r|.*" ]
}
```

## Use instead

```lvm path=etc/lvm/lvm.conf
devices {
    filter = [ "a|/dev/drbd.*|", "r|.*|" ]
}
```

## Fix safety

No automatic fix: only the admin knows which devices were meant.

## Source

lvm2 `lib/filters/filter-regex.c` (`_extract_pattern`: "pattern must begin
with 'a' or 'r'", "invalid separator at end of regex"), libdm
`regex/parse_rx.c`; checked against `pvs` of lvm2 2.03, which prints the
same refusals.
'''

from sanlint.rule import Rule
from sanlint_rules.lvm import _common as C


class MalformedFilter(Rule):
    code = "LVM105"
    name = "malformed-filter"
    severity = "error"
    reads = ("lvm",)

    def check(self, ctx):
        for host in ctx.site.hosts.values():
            for cfg in host.lvm:
                for key in C.FILTER_KEYS:
                    s = cfg.get(key)
                    if s is None:
                        continue
                    _, problems = C.compile_filter(s)
                    for text, span, why in problems:
                        yield self.finding(
                            f"devices/{C.short_key(key)} entry \"{text}\" on host {host.name} {why}: LVM refuses the "
                            "whole filter and every LVM command on the host fails",
                            span,
                            identity=f"lvm host {host.name} / {key} / {text}",
                        )
