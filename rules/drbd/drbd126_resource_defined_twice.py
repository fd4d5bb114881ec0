"""Resource defined twice: one DRBD resource name has two `resource` sections on a host.

## What it checks

The DRBD files one host reads (drbd.conf and what it includes, in
drbdadm's order: an include glob is read sorted): a `resource NAME`
section whose name an earlier section already used.  The later one is
reported, naming the first.  Typical causes: a copy of a `.res` file
edited for a migration (`r0-ssd.res` beside `r0.res`, both matched by
`include "drbd.d/*.res"`), or a resource still defined in drbd.conf after
it was moved to `drbd.d/`.

## Why it matters

drbdadm refuses the whole configuration, every resource of the host and
not only this one: "drbd.d/r0.res:1: conflicting use of resource section
'r0' ... drbd.d/r0-ssd.res:2: resource section 'r0' first used here", exit
status 10.  Pacemaker's `ocf:linbit:drbd` then cannot start or promote any
DRBD resource on that node, and `drbdadm adjust` after an edit fails.  If
the files were read one at a time, which of the two definitions (which
backing disk) is in force depends on the file names.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
	device    /dev/drbd0;
	disk      /dev/sdb1;
	meta-disk internal;
	on node1 { address 10.0.0.1:7789; }
	on node2 { address 10.0.0.2:7789; }
}
```

```drbd path=etc/drbd.d/r0-ssd.res
resource r0 {
	device    /dev/drbd0;
	disk      /dev/md0;
	meta-disk internal;
	on node1 { address 10.0.0.1:7789; }
	on node2 { address 10.0.0.2:7789; }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
	device    /dev/drbd0;
	disk      /dev/md0;
	meta-disk internal;
	on node1 { address 10.0.0.1:7789; }
	on node2 { address 10.0.0.2:7789; }
}
```

## Fix safety

No automatic fix: which of the two definitions is the one meant (and
whether the other is a backup to move out of drbd.d) is the admin's call.

## Source

drbd-utils `user/v9/drbdadm_parser.c` and `user/v84/drbdadm_parser.c`:
`parse_resource()` calls `check_uniq("resource section", res_name)`,
whose `vcheck_uniq_file_line()` prints "%s: conflicting use of %s '%s' ...
%s: %s '%s' first used here." and marks the configuration invalid;
https://github.com/LINBIT/drbd-utils.  Oracle: `drbdadm dump all` 9,
drbdadm-84 and drbdadm-83 (tests/test_verdicts_storage.py).
"""

from __future__ import annotations

from sanlint.rule import Context, Rule


class ResourceDefinedTwice(Rule):
    code = "DRBD126"
    name = "resource-defined-twice"
    severity = "error"
    risk = "outage"
    reads = ("drbd",)

    def check(self, ctx: Context):
        for host in ctx.site.hosts.values():
            first: dict[str, object] = {}
            for res in host.drbd_resources:
                prev = first.setdefault(res.name, res)
                if prev is res:
                    continue
                where = f" on {host.name}" if host.name else ""
                yield self.finding(
                    f"resource {res.name} is defined again{where} (first at {prev.span.path}:{prev.span.line}): "
                    f"drbdadm refuses the whole configuration (\"conflicting use of resource section "
                    f"'{res.name}'\"), so no DRBD resource of this host can be started or adjusted; keep one "
                    f"definition and move the other out of the included files",
                    res.span, identity=f"drbd resource {res.name} / defined again")
