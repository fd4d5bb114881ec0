'''Blank in ietd Lun options: IET refuses the LUN and the target comes up without it.

## What it checks

Every `Lun N OPTIONS` line of ietd.conf whose option list holds a blank
(`Path=/dev/drbd0, Type=blockio`, a blank before a comma, or a line
continued with a backslash inside the options).  Such a LUN is not in
sanlint's model of the target (IET never creates it), so the other iSCSI
rules do not judge it.

## Why it matters

ietd passes the options to the kernel, which splits them at commas only
(`strsep(&params, ",")`) and matches each piece against `Path=%s`,
`Type=%s`, `IOMode=%s`, `ScsiId=%s`, `ScsiSN=%s` from its first
character.  ` Type=blockio` matches none of them: the kernel logs "unknown
param  Type=blockio", refuses the LUN (`-EINVAL`) and ietd only warns
"Can't create a logical unit".  The target is online without that LUN:
initiators see no disk (or the LUNs renumbered by their multipath maps),
the cluster resource that runs ietd reports success, and the data on the
volume is unreachable until someone reads the kernel log.  ietd.conf(5):
no blanks are allowed inside the option list.

## Example

```ietd path=etc/ietd.conf
Target iqn.2012-03.com.example:storage.lun1
        IncomingUser iscsiuser s3cretPassw0rd
        Lun 0 Path=/dev/drbd0, Type=blockio
```

## Use instead

```ietd path=etc/ietd.conf
Target iqn.2012-03.com.example:storage.lun1
        IncomingUser iscsiuser s3cretPassw0rd
        Lun 0 Path=/dev/drbd0,Type=blockio
```

## Fix safety

Unsafe: removing the blanks makes IET create the LUN with the options as
written (here block I/O), so a disk appears to the initiators at the
next target start; the admin confirms that this LUN is meant to be
exported.

## Source

iscsitarget `usr/plain.c` (`Lun` line: number, then the rest of the
line), `usr/ctldev.c` `iscsi_lunit_create()` (strips only leading and
trailing blanks), `kernel/volume.c` `set_iotype()` and
`kernel/file-io.c` / `kernel/block-io.c` `parse_*_params()` (`strsep` on
",", `match_token`, "unknown param", `-EINVAL`), 0.4.12 through 1.4.x
trunk; ietd.conf(5) (`Lun`: "no blanks").
'''

from __future__ import annotations

import re

from sanlint.rule import Edit, Fix, Rule


def _blanks(lun) -> list[tuple[int, int]]:
    """Byte ranges of the blanks (continuations included) inside the options of a `Lun` line."""
    data = lun.span.file.data
    start = lun.number_span.end
    m = re.match(rb"[ \t]*(?:\\\r?\n[ \t]*)*", data[start:lun.span.end])
    opts = start + m.end()
    return [(opts + b.start(), opts + b.end())
            for b in re.finditer(rb"(?:[ \t]|\\\r?\n)+", data[opts:lun.span.end])]


class LunOptionsBlank(Rule):
    code = "ISCSI114"
    name = "lun-options-blank"
    severity = "error"
    risk = "outage"
    reads = ("iscsi",)
    fix = "unsafe"

    def check(self, ctx):
        for host in ctx.site.hosts.values():
            for cfg in host.iscsi:
                if cfg.stack != "ietd":
                    continue
                for t in cfg.targets:
                    for lun in t.refused_luns:
                        blanks = _blanks(lun)
                        if not blanks:
                            continue
                        src = lun.span.file
                        whole = src.data[lun.number_span.end:lun.span.end].decode(errors="replace").strip()
                        piece = next(p for p in whole.split(",") if re.search(r"\s", p) or p == "")
                        where = f" on {host.name}" if host.name else ""
                        yield self.finding(
                            f"Lun {lun.number} of target {t.name}{where} has a blank inside its options: IET splits "
                            f"them at commas only and takes '{piece}' with its blank, which matches no parameter "
                            f"(\"unknown param\") or names no I/O type or path, so the kernel refuses the LUN and "
                            f"the target comes up without LUN {lun.number}; write the options without blanks",
                            type(lun.span)(src, blanks[0][0], lun.span.end),
                            identity=f"iscsi target {t.name} / lun {lun.number} / options",
                            fix=Fix([Edit(src, a, b, "") for a, b in blanks], "remove the blanks from the options",
                                    safe=False))
